// Tests for core/io/idx: MNIST-format images and labels, plain and gzipped, and every broken
// fixture (truncation, magic, gzip truncation/corruption/bombs).

#include <QtTest>
#include <cstring>
#include <random>

#include "core/io/file_util.h"
#include "core/io/idx.h"

using namespace vitscope::core;

namespace {

std::string ioPath(const std::string& name) {
    return std::string(VITSCOPE_TEST_DATA) + "/io/" + name;
}
std::string badPath(const std::string& name) {
    return std::string(VITSCOPE_TEST_DATA) + "/bad/" + name;
}

}  // namespace

class TestIdx : public QObject {
    Q_OBJECT

private slots:
    void images_data() {
        QTest::addColumn<QString>("file");
        QTest::newRow("plain") << "images.idx";
        QTest::newRow("gzip") << "images.idx.gz";
    }
    void images() {
        QFETCH(QString, file);
        auto images = loadIdxImages(ioPath(file.toStdString()));
        QVERIFY2(images.ok(), images.ok() ? "" : images.error().message.c_str());
        QCOMPARE(images->count, 3);
        QCOMPARE(images->rows, 4);
        QCOMPARE(images->cols, 5);
        QCOMPARE(images->pixels.size(), size_t{60});
        for (size_t i = 0; i < images->pixels.size(); ++i) {
            QCOMPARE(int(images->pixels[i]), int(i * 7 % 256));
        }
    }

    void labels_data() {
        QTest::addColumn<QString>("file");
        QTest::newRow("plain") << "labels.idx";
        QTest::newRow("gzip, two members") << "labels.idx.gz";
    }
    void labels() {
        QFETCH(QString, file);
        auto labels = loadIdxLabels(ioPath(file.toStdString()));
        QVERIFY2(labels.ok(), labels.ok() ? "" : labels.error().message.c_str());
        QCOMPARE(labels->labels, (std::vector<uint8_t>{7, 2, 1}));
    }

    void badImages_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        const int bd = int(ErrorCode::BadData);
        QTest::newRow("truncated") << "idx_truncated.idx" << bd
                                   << "idx_truncated.idx: pixel data holds 53 bytes, 3 images of "
                                      "4x5 need 60 (truncated)";
        QTest::newRow("magic") << "idx_bad_magic.idx" << bd
                               << "bad magic 0x00000804, expected 0x00000803";
        QTest::newRow("labels file") << "labels.idx" << bd << "bad magic 0x00000801";
        QTest::newRow("short header") << "idx_short_header.idx" << bd << "too short";
        QTest::newRow("gzip truncated")
            << "gzip_truncated.idx.gz" << bd << "gzip_truncated.idx.gz: gzip stream is truncated";
        QTest::newRow("gzip corrupt") << "gzip_corrupt.idx.gz" << bd << "corrupt gzip data";
        QTest::newRow("gzip trailing") << "gzip_trailing.idx.gz" << bd << "trailing garbage";
        QTest::newRow("missing") << "nope.idx" << int(ErrorCode::Io) << "nope.idx: cannot open";
    }
    void badImages() {
        QFETCH(QString, file);
        QFETCH(int, code);
        QFETCH(QString, message);
        const std::string name = file.toStdString();
        auto images = loadIdxImages(name == "labels.idx" ? ioPath(name) : badPath(name));
        QVERIFY(!images.ok());
        QCOMPARE(int(images.error().code), code);
        QVERIFY2(images.error().message.find(message.toStdString()) != std::string::npos,
                 images.error().message.c_str());
    }

    void badLabels() {
        auto labels = loadIdxLabels(badPath("idx_labels_long.idx"));
        QVERIFY(!labels.ok());
        QVERIFY2(labels.error().message.find("label data holds 4 bytes, 3 labels need 3") !=
                     std::string::npos,
                 labels.error().message.c_str());
        auto images = loadIdxLabels(ioPath("images.idx"));
        QVERIFY(!images.ok());
        QVERIFY(images.error().message.find("expected 0x00000801") != std::string::npos);
    }

    void hugeDimensions() {
        // count*rows*cols = 2^31 * ... must not allocate or wrap: only 16 bytes are there.
        std::vector<std::byte> b(16);
        const uint8_t header[16] = {0,    0,    8,    3,    0x7f, 0xff, 0xff, 0xff,
                                    0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff};
        std::memcpy(b.data(), header, 16);
        auto images = parseIdxImages(b, "huge");
        QVERIFY(!images.ok());
        b[4] = std::byte{0xff};
        QVERIFY(parseIdxImages(b, "huge").error().message.find("more than INT_MAX") !=
                std::string::npos);
    }

    void gunzipCap() {
        auto raw = readFile(ioPath("images.idx.gz"), 1 << 20);
        QVERIFY(raw.ok());
        QVERIFY(gunzipBuffer(*raw, "x", 76).ok());
        auto capped = gunzipBuffer(*raw, "x", 75);
        QVERIFY(!capped.ok());
        QVERIFY(capped.error().message.find("more than 75 bytes") != std::string::npos);
    }

    void randomCorruption() {
        auto raw = readFile(ioPath("images.idx.gz"), 1 << 20);
        QVERIFY(raw.ok());
        std::mt19937 rng(4242);
        for (int round = 0; round < 2000; ++round) {
            std::vector<std::byte> bytes = *raw;
            const size_t pos = rng() % bytes.size();
            if (rng() % 2) {
                bytes[pos] ^= std::byte(1u << (rng() % 8));
            } else {
                bytes.resize(pos);
            }
            auto plain = gunzipBuffer(bytes, "fuzz", 1 << 20);
            if (plain.ok()) {
                auto images = parseIdxImages(*plain, "fuzz");
                QVERIFY(images.ok() || !images.error().message.empty());
            }
            auto direct = parseIdxImages(bytes, "fuzz");
            QVERIFY(!direct.ok());
        }
    }
};

QTEST_APPLESS_MAIN(TestIdx)
#include "tst_idx.moc"
