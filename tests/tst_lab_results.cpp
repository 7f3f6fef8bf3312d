// The lab results loader (core/analysis/lab_results.h): the fixtures in tests/data/lab (invented
// numbers, not results) load with their series sorted and their parameters, a partial sweep
// loads as partial, and hostile files (wrong types, NaN, out-of-range or negative numbers,
// missing fields, huge arrays, a 5 MB file, a FIFO) are refused with a message naming the file
// and the field, without blocking.
#include <sys/stat.h>

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include "core/analysis/lab_results.h"

using namespace vitscope;

namespace {

const QString kLabData = QStringLiteral(VITSCOPE_TEST_DATA "/lab/");

/// One valid point with `field` set to `value` (raw JSON text), or without it when empty.
QByteArray pointWith(const char* field, const char* value) {
    QByteArray point;
    for (const auto& [key, fallback] :
         std::initializer_list<std::pair<const char*, const char*>>{{"train_images", "1000"},
                                                                    {"runs", "1"},
                                                                    {"mean_top1_percent", "70.5"},
                                                                    {"std_top1_percent", "0"}}) {
        const bool replaced = qstrcmp(key, field) == 0;
        if (replaced && *value == '\0') {
            continue;
        }
        point += QByteArray(point.isEmpty() ? "" : ", ") + '"' + key +
                 "\": " + (replaced ? value : fallback);
    }
    return "{" + point + "}";
}

QByteArray withPoints(const QByteArray& points) {
    return "{\"series\": {\"vit\": [" + points + "]}}";
}

}  // namespace

class TestLabResults : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(mDir.isValid()); }
    void loadsFullSweep();
    void loadsPartialSweep();
    void nonFiniteInsideStringsIsText();
    void hostile_data();
    void hostile();
    void fiveMegabyteFile();
    void fifoDoesNotBlock();
    void missingFileNamesIt();
    void defaultPathIsInResources();

private:
    QString write(const QString& name, const QByteArray& bytes) {
        const QString path = mDir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) < 0) {
            qFatal("cannot write %s", qPrintable(path));
        }
        return path;
    }
    QTemporaryDir mDir;
};

void TestLabResults::loadsFullSweep() {
    auto lab = core::loadLabResults((kLabData + "data-hunger-full.json").toStdString());
    QVERIFY2(lab, lab ? "" : lab.error().message.c_str());
    QCOMPARE(lab->series.size(), size_t{3});
    const core::LabSeries* vit = lab->find("vit");
    const core::LabSeries* cnn = lab->find("cnn");
    QVERIFY(vit && cnn && lab->find("vit-nopos"));
    QCOMPARE(vit->points.size(), size_t{5});
    QCOMPARE(vit->points.front().trainImages, int64_t{1000});
    QCOMPARE(vit->points.back().trainImages, int64_t{60000});
    QCOMPARE(vit->points.front().runs, 3);
    QCOMPARE(vit->points.front().top1.size(), size_t{3});
    QCOMPARE(vit->points.front().top1[2], 72.1);
    QVERIFY(vit->at(1000)->meanTop1 < cnn->at(1000)->meanTop1);  // the fixture's CNN leads
    QCOMPARE(lab->parameters("vit"), int64_t{205962});
    QCOMPARE(lab->parameters("cnn"), int64_t{195178});
    QCOMPARE(lab->parameters("nothing"), int64_t{0});
    QCOMPARE(lab->runs.size(), size_t{21});
    QCOMPARE(lab->paperTable8.size(), size_t{4});
    QCOMPARE(lab->paperTable8.front().first, std::string("none"));
    QCOMPARE(lab->paperTable8.front().second, 0.614);
    QVERIFY(lab->testTime.has_value());
    QCOMPARE(lab->testTime->model, std::string("fashion-mnist-vit"));
    QCOMPARE(lab->testTime->noPositions.value_or(-1), 18.4);
    QVERIFY(QString::fromStdString(lab->budgetRule).startsWith(QStringLiteral("1000 updates")));
}

void TestLabResults::loadsPartialSweep() {
    auto lab = core::loadLabResults((kLabData + "data-hunger-partial.json").toStdString());
    QVERIFY2(lab, lab ? "" : lab.error().message.c_str());
    QCOMPARE(lab->find("vit")->points.size(), size_t{3});
    QCOMPARE(lab->find("cnn")->points.size(), size_t{2});
    QVERIFY(lab->find("vit-nopos") == nullptr);
    QVERIFY(!lab->testTime.has_value());
}

void TestLabResults::nonFiniteInsideStringsIsText() {
    const QString path =
        write(QStringLiteral("text.json"),
              R"({"description": "NaN, \"Infinity\" and -Infinity are words here", "series": {}})");
    auto lab = core::loadLabResults(path.toStdString());
    QVERIFY2(lab, lab ? "" : lab.error().message.c_str());
    QCOMPARE(lab->description, std::string(R"(NaN, "Infinity" and -Infinity are words here)"));
}

void TestLabResults::hostile_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");
    QTest::newRow("wrong type") << withPoints(pointWith("train_images", "\"1000\""))
                                << "hostile.json: series.vit[0].train_images must be an integer "
                                   "from 1 to 1000000000, not a string";
    QTest::newRow("NaN") << withPoints(pointWith("mean_top1_percent", "NaN"))
                         << "hostile.json: series.vit[0].mean_top1_percent must be a number in "
                            "[0, 100], not NaN";
    QTest::newRow("-Infinity") << withPoints(pointWith("std_top1_percent", "-Infinity"))
                               << "series.vit[0].std_top1_percent must be a number in [0, 100], "
                                  "not -Infinity";
    // A number beyond double's range is refused by the JSON parser itself.
    QTest::newRow("overflow") << withPoints(pointWith("mean_top1_percent", "1e999"))
                              << "hostile.json: not valid JSON";
    QTest::newRow("accuracy over 100") << withPoints(pointWith("mean_top1_percent", "140"))
                                       << "series.vit[0].mean_top1_percent must be a number in "
                                          "[0, 100], not 140";
    QTest::newRow("negative std") << withPoints(pointWith("std_top1_percent", "-0.5"))
                                  << "series.vit[0].std_top1_percent must be a number in [0, "
                                     "100], not -0.5";
    QTest::newRow("missing field") << withPoints(pointWith("mean_top1_percent", ""))
                                   << "hostile.json: series.vit[0].mean_top1_percent is missing";
    QTest::newRow("train images 0") << withPoints(pointWith("train_images", "0"))
                                    << "series.vit[0].train_images must be an integer from 1";
    QTest::newRow("train images huge")
        << withPoints(pointWith("train_images", "18446744073709551615"))
        << "series.vit[0].train_images must be an integer from 1 to 1000000000";
    QByteArray many;
    for (int i = 0; i < 65; ++i) {
        many += (i ? "," : "") + pointWith("train_images", QByteArray::number(i + 1).constData());
    }
    QTest::newRow("65 points") << withPoints(many)
                               << "hostile.json: series.vit has 65 entries, more than 64";
    QByteArray series;
    for (int i = 0; i < 17; ++i) {
        series += QByteArray(i ? "," : "") + "\"m" + QByteArray::number(i) + "\": []";
    }
    QTest::newRow("17 series") << "{\"series\": {" + series + "}}"
                               << "hostile.json: series has 17 models, more than 16";
    QTest::newRow("same size twice")
        << withPoints(pointWith("runs", "1") + "," + pointWith("runs", "1"))
        << "series.vit[1].train_images 1000 appears twice";
    QTest::newRow("runs and entries disagree")
        << withPoints(R"({"train_images": 1000, "runs": 2, "mean_top1_percent": 70,
                          "std_top1_percent": 1, "top1_percent": [70]})")
        << "series.vit[0].top1_percent has 1 entries but runs is 2";
    QTest::newRow("points not an array") << QByteArray(R"({"series": {"vit": {"a": 1}}})")
                                         << "series.vit must be an array, not an object";
    QTest::newRow("no series") << QByteArray(R"({"description": "x"})")
                               << "hostile.json: series is missing";
    QTest::newRow("run parameters")
        << QByteArray(R"({"series": {}, "runs": [{"arch": "vit", "train_images": 1000,
                          "test_top1_percent": 70, "parameters": true}]})")
        << "runs[0].parameters must be an integer from 1 to 1099511627776, not true";
    QTest::newRow("paper in percent")
        << QByteArray(R"({"series": {}, "paper_table8_vit_b16": {"none": 61.4}})")
        << "paper_table8_vit_b16.none must be a number in [0, 1], not 61.4";
    QTest::newRow("test-time over 100")
        << QByteArray(
               R"({"series": {}, "test_time_ablation": {"top1_percent": {"shuffled": 101}}})")
        << "test_time_ablation.top1_percent.shuffled must be a number in [0, 100], not 101";
    QTest::newRow("description not text") << QByteArray(R"({"series": {}, "description": [1]})")
                                          << "hostile.json: description must be a string";
    QTest::newRow("not an object")
        << QByteArray("[1, 2]") << "hostile.json: expected a JSON object, not an array of 2";
    QTest::newRow("not JSON") << QByteArray("{\"series\": ") << "hostile.json: not valid JSON";
}

void TestLabResults::hostile() {
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    const QString path = write(QStringLiteral("hostile.json"), json);
    auto lab = core::loadLabResults(path.toStdString());
    QVERIFY2(!lab, "a hostile file loaded");
    QCOMPARE(lab.error().code, core::ErrorCode::BadData);
    const QString message = QString::fromStdString(lab.error().message);
    QVERIFY2(message.startsWith(QStringLiteral("hostile.json: ")), qPrintable(message));
    QVERIFY2(message.contains(expected), qPrintable(message));
}

void TestLabResults::fiveMegabyteFile() {
    // Valid JSON, 5 MB of white space: refused by size before it is parsed.
    QByteArray bytes = "{\"series\": {}" + QByteArray(5 << 20, ' ') + "}";
    const QString path = write(QStringLiteral("huge.json"), bytes);
    auto lab = core::loadLabResults(path.toStdString());
    QVERIFY(!lab);
    QCOMPARE(lab.error().code, core::ErrorCode::Io);
    QVERIFY2(QString::fromStdString(lab.error().message).contains(QStringLiteral("huge.json")),
             lab.error().message.c_str());
}

void TestLabResults::fifoDoesNotBlock() {
    const QString path = mDir.filePath(QStringLiteral("fifo.json"));
    QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
    QElapsedTimer timer;
    timer.start();
    auto lab = core::loadLabResults(path.toStdString());
    QVERIFY(timer.elapsed() < 5000);
    QVERIFY(!lab);
    QCOMPARE(lab.error().code, core::ErrorCode::Io);
    QVERIFY2(QString::fromStdString(lab.error().message).contains(QStringLiteral("fifo.json")),
             lab.error().message.c_str());
}

void TestLabResults::missingFileNamesIt() {
    auto lab = core::loadLabResults(mDir.filePath(QStringLiteral("absent.json")).toStdString());
    QVERIFY(!lab);
    QVERIFY2(QString::fromStdString(lab.error().message).contains(QStringLiteral("absent.json")),
             lab.error().message.c_str());
}

void TestLabResults::defaultPathIsInResources() {
    const QString path = QString::fromStdString(core::defaultLabResultsPath());
    QVERIFY2(path.endsWith(QStringLiteral("/lab/data-hunger.json")), qPrintable(path));
    const QString resources = QFileInfo(QFileInfo(path).path()).path();
    QCOMPARE(QFileInfo(resources).canonicalFilePath(),
             QFileInfo(QStringLiteral(VITSCOPE_RESOURCES)).canonicalFilePath());
}

QTEST_GUILESS_MAIN(TestLabResults)
#include "tst_lab_results.moc"
