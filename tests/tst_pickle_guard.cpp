// Tests for core/io/pickle_guard: pickles are refused by extension and by content, and real
// vitscope formats are not.

#include <QtTest>

#include "core/io/file_util.h"
#include "core/io/pickle_guard.h"

using namespace vitscope::core;

namespace {

std::vector<std::byte> bytesOf(const QByteArray& a) {
    const auto* p = reinterpret_cast<const std::byte*>(a.constData());
    return {p, p + a.size()};
}

std::vector<std::byte> fixture(const std::string& rel) {
    auto bytes = readFile(std::string(VITSCOPE_TEST_DATA) + "/" + rel, 1 << 20);
    return bytes.ok() ? *bytes : std::vector<std::byte>{};
}

}  // namespace

class TestPickleGuard : public QObject {
    Q_OBJECT

private slots:
    void byExtension_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("refused");
        QTest::newRow("pth") << "models/vit_b16.pth" << true;
        QTest::newRow("pt upper case") << "MODEL.PT" << true;
        QTest::newRow("hf bin") << "hf/pytorch_model.bin" << true;
        QTest::newRow("ckpt") << "last.ckpt" << true;
        QTest::newRow("pkl") << "weights.pkl" << true;
        QTest::newRow("pickle") << "weights.pickle" << true;
        QTest::newRow("safetensors") << "model.safetensors" << false;
        QTest::newRow("npz") << "ViT-B_16.npz" << false;
        QTest::newRow("npy") << "x.npy" << false;
        QTest::newRow("pt inside name") << "model.pt.safetensors" << false;
    }
    void byExtension() {
        QFETCH(QString, path);
        QFETCH(bool, refused);
        const auto message = refusePickle(path.toStdString(), {});
        QCOMPARE(message.has_value(), refused);
    }

    void message() {
        const auto message = refusePickle("/some/dir/pytorch_model.bin", {});
        QVERIFY(message);
        QCOMPARE(*message,
                 std::string("pytorch_model.bin: PyTorch pickle checkpoints are refused: "
                             "unpickling can run arbitrary code. Convert it to safetensors with "
                             "tools/convert_pth_to_safetensors.py (needs PyTorch) and open the "
                             ".safetensors file."));
    }

    void byContent_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("refused");
        QTest::newRow("protocol 2") << "bad/pickle_protocol2.dat" << true;
        QTest::newRow("torch zip") << "bad/torch_zip_checkpoint.dat" << true;
        QTest::newRow("torch zip, pkl second") << "bad/torch_zip_pkl_second.dat" << true;
        QTest::newRow("safetensors") << "io/valid.safetensors" << false;
        QTest::newRow("npz") << "io/valid.npz" << false;
        QTest::newRow("npy") << "io/valid.npy" << false;
        QTest::newRow("empty") << "bad/empty.safetensors" << false;
        QTest::newRow("truncated zip") << "bad/npz_truncated.npz" << false;
    }
    void byContent() {
        QFETCH(QString, file);
        QFETCH(bool, refused);
        const auto bytes = fixture(file.toStdString());
        QVERIFY(!bytes.empty() || file.contains("empty"));
        QCOMPARE(refusePickle("renamed.dat", bytes).has_value(), refused);
    }

    void protocols_data() {
        QTest::addColumn<int>("second");
        QTest::addColumn<bool>("refused");
        QTest::newRow("1") << 1 << false;
        for (int p = 2; p <= 5; ++p) {
            QTest::newRow(qPrintable(QString::number(p))) << p << true;
        }
        QTest::newRow("6") << 6 << false;
    }
    void protocols() {
        QFETCH(int, second);
        QFETCH(bool, refused);
        QByteArray head;
        head.append(char(0x80)).append(char(second)).append("}q\x00.", 4);
        QCOMPARE(refusePickle("x.dat", bytesOf(head)).has_value(), refused);
        QVERIFY(!refusePickle("x.dat", bytesOf(head.left(1))).has_value());
    }

    void truncatedHeadersDoNotCrash() {
        const auto zip = fixture("bad/torch_zip_pkl_second.dat");
        for (size_t n = 0; n <= zip.size(); ++n) {
            (void)refusePickle("x.dat", std::span(zip.data(), n));
        }
        QVERIFY(refusePickle("x.dat", zip).has_value());
    }
};

QTEST_APPLESS_MAIN(TestPickleGuard)
#include "tst_pickle_guard.moc"
