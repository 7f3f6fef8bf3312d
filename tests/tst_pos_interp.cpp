// Position-grid resampling invariants (the numbers against PyTorch are in tst_model_golden's
// *_resized cases): identity on the same grid, constants preserved, and the three modes differ.
#include <QtTest>

#include "core/model/pos_interp.h"

using namespace vitscope;

class TestPosInterp : public QObject {
    Q_OBJECT
private slots:
    void sameGridIsIdentity() {
        core::Matrix src = core::Matrix::Random(12, 5);
        core::ConstMatrixMap m(src.data(), 12, 5);
        QVERIFY(core::resampleGrid(m, 3, 4, 3, 4, core::PosInterp::Bicubic) == src);
    }

    void constantFieldIsPreserved_data() {
        QTest::addColumn<int>("mode");
        QTest::newRow("bicubic") << int(core::PosInterp::Bicubic);
        QTest::newRow("bicubic-aa") << int(core::PosInterp::BicubicAntialias);
        QTest::newRow("bilinear") << int(core::PosInterp::Bilinear);
    }
    void constantFieldIsPreserved() {
        QFETCH(int, mode);
        core::Matrix src = core::Matrix::Constant(4 * 4, 3, 0.25f);
        core::ConstMatrixMap m(src.data(), 16, 3);
        for (auto [h, w] : {std::pair{7, 3}, std::pair{2, 9}, std::pair{4, 4}}) {
            const core::Matrix out = core::resampleGrid(m, 4, 4, h, w, core::PosInterp(mode));
            QCOMPARE(out.rows(), Eigen::Index(h * w));
            QVERIFY((out.array() - 0.25f).abs().maxCoeff() < 1e-6f);
        }
    }

    void modesDifferOnNonSmoothInput() {
        core::Matrix src = core::Matrix::Zero(9, 1);
        src(4, 0) = 1.0f;  // a single spike in a 3x3 grid
        core::ConstMatrixMap m(src.data(), 9, 1);
        const auto a = core::resampleGrid(m, 3, 3, 5, 5, core::PosInterp::Bicubic);
        const auto b = core::resampleGrid(m, 3, 3, 5, 5, core::PosInterp::Bilinear);
        const auto c = core::resampleGrid(m, 3, 3, 5, 5, core::PosInterp::BicubicAntialias);
        QVERIFY((a - b).cwiseAbs().maxCoeff() > 1e-3f);
        QVERIFY((a - c).cwiseAbs().maxCoeff() > 1e-3f);
        // Bicubic overshoots (negative lobes); bilinear never does.
        QVERIFY(a.minCoeff() < 0.0f);
        QVERIFY(b.minCoeff() >= 0.0f);
    }
};

QTEST_APPLESS_MAIN(TestPosInterp)
#include "tst_pos_interp.moc"
