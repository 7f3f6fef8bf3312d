// Tests for core/io/npy, npz and data_export: exact values, header variants, writing and
// reading back, one row per broken fixture, zip-bomb refusal and random corruption.

#include <QTemporaryDir>
#include <QtTest>
#include <bit>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "core/io/data_export.h"
#include "core/io/file_util.h"
#include "core/io/npy.h"
#include "core/io/npz.h"

using namespace vitscope::core;

namespace {

std::string ioPath(const char* name) { return std::string(VITSCOPE_TEST_DATA) + "/io/" + name; }
std::string badPath(const std::string& name) {
    return std::string(VITSCOPE_TEST_DATA) + "/bad/" + name;
}

std::vector<std::byte> readAll(const std::string& path) {
    auto bytes = readFile(path, 1 << 20);
    return bytes.ok() ? *bytes : std::vector<std::byte>{};
}

std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// tools/make_bad_fixtures.py's F16_BITS, converted by hand.
const float kHalfValues[] = {0.0f,
                             -0.0f,
                             std::ldexp(1.0f, -24),
                             1023 * std::ldexp(1.0f, -24),
                             std::ldexp(1.0f, -14),
                             1.0f,
                             -2.0f,
                             0.333251953125f,
                             65504.0f,
                             INFINITY,
                             -INFINITY,
                             NAN,
                             -std::ldexp(1.0f, -24)};

bool sameFloat(float a, float b) {
    if (std::isnan(a) || std::isnan(b)) {
        return std::isnan(a) && std::isnan(b);
    }
    return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b);
}

}  // namespace

class TestNpyNpz : public QObject {
    Q_OBJECT

private slots:
    void validNpy_data() {
        QTest::addColumn<QString>("file");
        QTest::newRow("1.0") << "valid.npy";
        QTest::newRow("2.0") << "valid_v2.npy";
    }
    void validNpy() {
        QFETCH(QString, file);
        const auto bytes = readAll(ioPath(file.toUtf8().constData()));
        auto array = parseNpy(bytes, "valid.npy");
        QVERIFY2(array.ok(), array.ok() ? "" : array.error().message.c_str());
        QCOMPARE(array->dtype, DType::F32);
        QCOMPARE(array->shape, (std::vector<int64_t>{3, 4}));
        const std::vector<float> values = toFloat32(*array);
        QCOMPARE(values.size(), size_t{12});
        for (int i = 0; i < 12; ++i) {
            QCOMPARE(values[i], (float(i) - 5.5f) / 4);
        }
    }

    void fortranOneDimensional() {
        // fortran_order True is fine when the order cannot matter.
        const auto half = readAll(ioPath("valid_f16_fortran_1d.npy"));
        auto h = parseNpy(half, "half");
        QVERIFY2(h.ok(), h.ok() ? "" : h.error().message.c_str());
        QCOMPARE(h->dtype, DType::F16);
        const auto values = toFloat32(*h);
        QCOMPARE(values.size(), std::size(kHalfValues));
        for (size_t i = 0; i < values.size(); ++i) {
            QVERIFY2(sameFloat(values[i], kHalfValues[i]), qPrintable(QString::number(i)));
        }
        const auto ints = readAll(ioPath("valid_i8_fortran_1d.npy"));
        auto i8 = parseNpy(ints, "ints");
        QVERIFY2(i8.ok(), i8.ok() ? "" : i8.error().message.c_str());
        QCOMPARE(i8->dtype, DType::I64);
        QCOMPARE(toFloat32(*i8), (std::vector<float>{0, 1, 2, 3, 4}));
    }

    void tolerantHeader_data() {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QString>("shape");
        QTest::newRow("numpy") << QByteArray(
                                      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }")
                               << "(2, 1)";
        QTest::newRow("double quotes, no trailing comma")
            << QByteArray("{\"shape\": (2,1), \"fortran_order\": False, \"descr\": \"<f4\"}")
            << "(2, 1)";
        QTest::newRow("python2 longs")
            << QByteArray("{'descr':'<f4','fortran_order':False,'shape':(2L, 1L)}") << "(2, 1)";
        QTest::newRow("list shape, extra key")
            << QByteArray("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 1], 'x': None}")
            << "(2, 1)";
    }
    void tolerantHeader() {
        QFETCH(QByteArray, header);
        QFETCH(QString, shape);
        QByteArray file("\x93NUMPY\x01\x00", 8);
        header += '\n';
        file.append(char(header.size() & 0xff)).append(char(header.size() >> 8)).append(header);
        file.append(QByteArray(8, '\0'));
        auto array = parseNpy(std::as_bytes(std::span(file.constData(), size_t(file.size()))), "t");
        QVERIFY2(array.ok(), array.ok() ? "" : array.error().message.c_str());
        QCOMPARE(QString::fromStdString(shapeToString(array->shape)), shape);
    }

    void writeAndReadBack() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("out.npy").toStdString();
        const std::vector<float> data = {1.5f, -2.0f, 3.25f, 1e-30f, 7.0f, 65504.0f};
        QVERIFY(writeNpy(path, {2, 3}, data.data()).ok());
        const auto bytes = readAll(path);
        QCOMPARE((bytes.size() - data.size() * 4) % 64, size_t{0});
        auto array = parseNpy(bytes, "out.npy");
        QVERIFY(array.ok());
        QCOMPARE(array->shape, (std::vector<int64_t>{2, 3}));
        QCOMPARE(toFloat32(*array), data);

        const std::vector<int64_t> ints = {5, -7, int64_t{1} << 40};
        QVERIFY(writeNpy(path, {3}, ints.data()).ok());
        const auto intBytes = readAll(path);
        QVERIFY(readText(path).find("'shape': (3,)") != std::string::npos);
        auto intArray = parseNpy(intBytes, "out.npy");
        QVERIFY(intArray.ok());
        QCOMPARE(intArray->dtype, DType::I64);
        QCOMPARE(intArray->descr, std::string("<i8"));

        QVERIFY(writeNpy(path, {}, data.data()).ok());  // a 0-d array holds one value
        const auto scalarBytes = readAll(path);
        auto scalar = parseNpy(scalarBytes, "out.npy");
        QVERIFY(scalar.ok());
        QCOMPARE(toFloat32(*scalar), std::vector<float>{1.5f});

        QCOMPARE(int(writeNpy(path, {-1, 2}, data.data()).error().code), int(ErrorCode::Usage));
        auto noDir = writeNpy(dir.filePath("missing/out.npy").toStdString(), {1}, data.data());
        QVERIFY(!noDir.ok());
        QCOMPARE(int(noDir.error().code), int(ErrorCode::Io));
    }

    void badNpy_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("message");
        QTest::newRow("magic") << "npy_bad_magic.npy"
                               << "npy_bad_magic.npy: bad magic";
        QTest::newRow("big endian") << "npy_big_endian.npy"
                                    << "big-endian dtype '>f4'";
        QTest::newRow("shape mismatch") << "npy_shape_mismatch.npy"
                                        << "data holds 40 bytes, shape (3, 4) of <f4 needs 48";
        QTest::newRow("fortran") << "npy_fortran.npy"
                                 << "fortran_order True is not supported";
        QTest::newRow("object") << "npy_object.npy"
                                << "object arrays ('|O') are refused";
        QTest::newRow("version") << "npy_bad_version.npy"
                                 << "unsupported .npy version 9.0";
        QTest::newRow("header past end") << "npy_header_past_end.npy"
                                         << "header length 65535 runs past the end";
        QTest::newRow("not a dict") << "npy_not_dict.npy"
                                    << "not a Python dict literal";
        QTest::newRow("empty") << "empty.safetensors"
                               << "bad magic";
    }
    void badNpy() {
        QFETCH(QString, file);
        QFETCH(QString, message);
        const std::string name = file.toStdString();
        const auto bytes = readAll(badPath(name));
        auto array = parseNpy(bytes, name);
        QVERIFY(!array.ok());
        QCOMPARE(int(array.error().code), int(ErrorCode::BadData));
        QVERIFY2(array.error().message.find(message.toStdString()) != std::string::npos,
                 array.error().message.c_str());
    }

    void validNpz_data() {
        QTest::addColumn<QString>("file");
        QTest::newRow("deflated") << "valid.npz";
        QTest::newRow("stored") << "valid_stored.npz";
    }
    void validNpz() {
        QFETCH(QString, file);
        auto store = loadNpz(ioPath(file.toUtf8().constData()));
        QVERIFY2(store.ok(), store.ok() ? "" : store.error().message.c_str());
        // README.txt and the int64 "steps" are ignored.
        QCOMPARE(store->names(), (std::vector<std::string>{"Transformer/encoder_norm/scale",
                                                           "double", "embedding/kernel", "half"}));
        const StoredTensor* scale = store->find("Transformer/encoder_norm/scale");
        QCOMPARE(scale->shape, std::vector<int64_t>{3});
        QCOMPARE(scale->data[1], 0.5f);
        QCOMPARE(scale->file, file.toStdString());
        const StoredTensor* kernel = store->find("embedding/kernel");
        QCOMPARE(kernel->shape, (std::vector<int64_t>{2, 2, 1, 3}));  // HWIO kept
        for (int i = 0; i < 12; ++i) {
            QCOMPARE(kernel->data[i], float(i));
        }
        const StoredTensor* half = store->find("half");
        QCOMPARE(half->sourceDType, DType::F16);
        for (size_t i = 0; i < std::size(kHalfValues); ++i) {
            QVERIFY(sameFloat(half->data[i], kHalfValues[i]));
        }
        QCOMPARE(store->find("double")->data[0], 0.1f);
        QCOMPARE(store->borrowedBytes(), size_t{0});
    }

    void badNpz_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("message");
        QTest::newRow("zip bomb") << "zip_bomb.npz"
                                  << "entry 'bomb.npy': declared uncompressed sizes add up to";
        QTest::newRow("truncated") << "npz_truncated.npz"
                                   << "truncated or damaged zip archive";
        QTest::newRow("not a zip") << "not_a_zip.npz"
                                   << "not_a_zip.npz: not a zip archive";
        QTest::newRow("empty") << "empty.safetensors"
                               << "not a zip archive (.npz): the file is empty";
        QTest::newRow("short entry") << "npz_short_entry.npz"
                                     << "entry 'w.npy': data ends after 176 of 240 declared bytes";
        QTest::newRow("crc") << "npz_crc.npz"
                             << "entry 'w.npy': CRC error";
        QTest::newRow("bad member") << "npz_bad_member.npz"
                                    << "entry 'w.npy': bad magic";
    }
    void badNpz() {
        QFETCH(QString, file);
        QFETCH(QString, message);
        auto store = loadNpz(badPath(file.toStdString()));
        QVERIFY(!store.ok());
        QCOMPARE(int(store.error().code), int(ErrorCode::BadModel));
        QVERIFY2(store.error().message.find(message.toStdString()) != std::string::npos,
                 store.error().message.c_str());
    }

    void missingNpz() {
        auto store = loadNpz(badPath("nope.npz"));
        QVERIFY(!store.ok());
        QCOMPARE(int(store.error().code), int(ErrorCode::Io));
    }

    void randomCorruption_data() {
        QTest::addColumn<QString>("file");
        QTest::newRow("npz deflated") << "valid.npz";
        QTest::newRow("npz stored") << "valid_stored.npz";
        QTest::newRow("npy") << "valid.npy";
    }
    void randomCorruption() {
        QFETCH(QString, file);
        const auto original = readAll(ioPath(file.toUtf8().constData()));
        QVERIFY(!original.empty());
        const bool npz = file.endsWith(".npz");
        std::mt19937 rng(777);
        int failures = 0;
        constexpr int kRounds = 1500;
        for (int round = 0; round < kRounds; ++round) {
            auto bytes = std::make_shared<std::vector<std::byte>>(original);
            const int edits = 1 + int(rng() % 3);
            for (int e = 0; e < edits && !bytes->empty(); ++e) {
                const size_t pos = rng() % bytes->size();
                switch (rng() % 3) {
                    case 0:
                        (*bytes)[pos] ^= std::byte(1u << (rng() % 8));
                        break;
                    case 1:
                        (*bytes)[pos] = std::byte(rng() % 256);
                        break;
                    default:
                        bytes->resize(pos);
                        break;
                }
            }
            if (npz) {
                auto store = loadNpzFromBuffer(bytes, "fuzz.npz");
                failures += store.ok() ? 0 : 1;
                if (!store.ok()) {
                    QVERIFY(store.error().message.rfind("fuzz.npz", 0) == 0);
                }
            } else {
                auto array = parseNpy(*bytes, "fuzz.npy");
                failures += array.ok() ? 0 : 1;
                if (array.ok()) {
                    QCOMPARE(toFloat32(*array).size(), size_t(array->numel()));
                }
            }
        }
        QVERIFY(failures > 0);
    }

    void csvAndJson() {
        QTemporaryDir dir;
        const std::string csv = dir.filePath("m.csv").toStdString();
        const float data[] = {0.1f, -2.0f, 1e-7f, 3.4028235e38f, 0.0f, 1.0f / 3.0f};
        QVERIFY(writeCsv(csv, 2, 3, data, {"a", "b,c", "say \"hi\""}).ok());
        QCOMPARE(readText(csv), std::string("a,\"b,c\",\"say \"\"hi\"\"\"\n"
                                            "0.100000001,-2,1.00000001e-07\n"
                                            "3.40282347e+38,0,0.333333343\n"));
        QVERIFY(writeCsv(csv, 1, 1, data).ok());
        QCOMPARE(readText(csv), std::string("0.100000001\n"));
        QCOMPARE(int(writeCsv(csv, 1, 2, data, {"only one"}).error().code), int(ErrorCode::Usage));

        const std::string json = dir.filePath("r.json").toStdString();
        QVERIFY(writeJson(json, "{\"a\": 1}\n").ok());
        QVERIFY(writeJson(json, "{\"b\": 2}\n").ok());  // replaces
        QCOMPARE(readText(json), std::string("{\"b\": 2}\n"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 2);  // no temp files left
        auto bad = writeJson(dir.filePath("no/such/dir.json").toStdString(), "{}");
        QVERIFY(!bad.ok());
        QCOMPARE(int(bad.error().code), int(ErrorCode::Io));
        QVERIFY(bad.error().message.find("no/such/dir.json") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestNpyNpz)
#include "tst_npy_npz.moc"
