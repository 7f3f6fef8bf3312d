// Files that are not what they seem: FIFOs, devices, folders, dangling or escaping symbolic
// links, oversized or sparse files, and a checkpoint truncated while it is in use. Each must give
// a prompt error naming the file and the problem (and the CLI's documented exit code), never a
// hang, a signal or a silent fallback. The special files are made at run time in a temporary
// folder; tests run as root in CI, so permission cases assert what holds for root and non-root.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cstring>

#include "core/io/file_util.h"
#include "core/io/mapped_file.h"
#include "core/io/npz.h"
#include "core/io/safetensors.h"
#include "core/model/gemm.h"
#include "core/model/vit_model.h"
#include "core/pipeline/run.h"

using namespace vitscope;

namespace {

const QString kData = QStringLiteral(VITSCOPE_TEST_DATA);
const QString kModel = kData + "/models/hf_vit_cls";

struct Cli {
    int code = -1;  ///< -2: killed by a signal, -3: still running after 30 s
    QString err;
};

Cli cli(const QStringList& args) {
    // VITSCOPE_TEST_CLI runs the cases against another build (e.g. one without the fixes).
    QProcess p;
    p.start(qEnvironmentVariable("VITSCOPE_TEST_CLI", QStringLiteral(VITSCOPE_CLI)), args);
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        return {-3, QStringLiteral("timed out (hang)")};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2,
            QString::fromUtf8(p.readAllStandardError())};
}

void fifo(const QString& path) { QVERIFY(::mkfifo(path.toLocal8Bit().constData(), 0600) == 0); }

void symlink(const QString& target, const QString& link) {
    QVERIFY(::symlink(target.toLocal8Bit().constData(), link.toLocal8Bit().constData()) == 0);
}

void writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(bytes), bytes.size());
}

/// A sparse file of `size` bytes (zeros, no disk space).
void sparseFile(const QString& path, qint64 size) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QVERIFY(f.resize(size));
}

/// `dir`/model: the hf_vit_cls model.safetensors and config.json.
QString modelFolder(const QString& dir) {
    const QString folder = dir + "/model";
    QDir().mkpath(folder);
    QFile::copy(kModel + "/model.safetensors", folder + "/model.safetensors");
    QFile::copy(kModel + "/config.json", folder + "/config.json");
    return folder;
}

/// Builds the case `kind` in `dir`; returns the CLI arguments that meet it.
QStringList setUpCase(const QString& kind, const QString& dir) {
    const QString info = QStringLiteral("info");
    if (kind == "model fifo") {
        fifo(dir + "/m.safetensors");
        return {info, "--model", dir + "/m.safetensors"};
    }
    if (kind == "npz fifo") {
        fifo(dir + "/m.npz");
        return {info, "--model", dir + "/m.npz"};
    }
    if (kind == "index fifo") {
        fifo(dir + "/model.safetensors.index.json");
        return {info, "--model", dir};
    }
    if (kind == "index huge") {
        sparseFile(dir + "/model.safetensors.index.json", qint64(9) << 20);
        return {info, "--model", dir};
    }
    if (kind == "shard fifo") {
        writeFile(dir + "/model.safetensors.index.json",
                  R"({"weight_map": {"x": "s.safetensors"}})");
        fifo(dir + "/s.safetensors");
        return {info, "--model", dir};
    }
    if (kind == "shard outside") {
        writeFile(dir + "/model.safetensors.index.json",
                  R"({"weight_map": {"x": "s.safetensors"}})");
        symlink("/etc/passwd", dir + "/s.safetensors");
        return {info, "--model", dir};
    }
    if (kind == "weights folder") {
        QDir().mkpath(dir + "/model.safetensors");
        return {info, "--model", dir};
    }
    if (kind == "model dangling") {
        symlink(dir + "/gone.safetensors", dir + "/link.safetensors");
        return {info, "--model", dir + "/link.safetensors"};
    }
    if (kind == "model under a file") {
        writeFile(dir + "/file.txt", "x");
        return {info, "--model", dir + "/file.txt/model"};
    }
    const QString model = modelFolder(dir);
    const QString config = model + "/config.json", pre = model + "/preprocessor_config.json";
    if (kind == "config fifo" || kind == "preprocessor fifo") {
        QFile::remove(config);
        fifo(kind == "config fifo" ? config : pre);
    } else if (kind == "config folder" || kind == "preprocessor folder") {
        QFile::remove(config);
        QDir().mkpath(kind == "config folder" ? config : pre);
    } else if (kind == "config dangling" || kind == "preprocessor dangling") {
        QFile::remove(config);
        symlink(model + "/gone.json", kind == "config dangling" ? config : pre);
    } else if (kind == "config huge") {
        QFile::remove(config);
        sparseFile(config, qint64(9) << 20);
    } else if (kind == "image fifo") {
        fifo(dir + "/i.png");
        return {"predict", "--model", model, "--image", dir + "/i.png"};
    } else if (kind == "npy fifo") {
        fifo(dir + "/x.npy");
        return {"dump", "--model", model, "--input-npy", dir + "/x.npy", "--out", dir + "/out"};
    } else if (kind == "npy /dev/zero") {
        return {"dump", "--model", model, "--input-npy", "/dev/zero", "--out", dir + "/out"};
    } else if (kind == "idx fifo") {
        fifo(dir + "/i.idx");
        fifo(dir + "/l.idx");
        return {"eval", "--idx-images", dir + "/i.idx", "--idx-labels", dir + "/l.idx"};
    }
    return {info, "--model", model};
}

/// The model folder of `dir` with one 68 MB unused tensor in front of the weights, so that the
/// file is memory-mapped (not read) and truncating it removes every weight the forward uses.
/// Returns the size to truncate to.
qint64 writeBigModel(const QString& folder) {
    QFile in(kModel + "/model.safetensors");
    if (!in.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray bytes = in.readAll();
    quint64 n = 0;
    std::memcpy(&n, bytes.constData(), 8);
    QJsonObject header = QJsonDocument::fromJson(bytes.mid(8, static_cast<qsizetype>(n))).object();
    constexpr qint64 kRows = 4096, kCols = 4352;  // 68 MiB of F32
    constexpr qint64 kPad = kRows * kCols * 4;
    for (auto it = header.begin(); it != header.end(); ++it) {
        QJsonObject t = it.value().toObject();
        if (!t.contains("data_offsets"))
            continue;
        const QJsonArray o = t["data_offsets"].toArray();
        t["data_offsets"] = QJsonArray{o[0].toInteger() + kPad, o[1].toInteger() + kPad};
        it.value() = t;
    }
    header["vit.pooler.dense.weight"] = QJsonObject{{"dtype", "F32"},
                                                    {"shape", QJsonArray{kRows, kCols}},
                                                    {"data_offsets", QJsonArray{0, kPad}}};
    QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    while ((json.size() + 8) % 8 != 0) json.append(' ');  // keep the data aligned: borrowed
    const quint64 len = static_cast<quint64>(json.size());
    QFile out(folder + "/model.safetensors");
    if (!out.open(QIODevice::WriteOnly))
        return -1;
    out.write(reinterpret_cast<const char*>(&len), 8);
    out.write(json);
    out.seek(8 + json.size() + kPad);  // the unused tensor stays a hole
    out.write(bytes.mid(static_cast<qsizetype>(8 + n)));
    return 8 + json.size() + kPad;
}

long maxRssKb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

}  // namespace

class TestHostileFiles : public QObject {
    Q_OBJECT
private slots:
    // A SIGBUS that is not about a registered mapping keeps its default action. First, in a
    // child that drops QtTest's own crash handler, so that the vitscope handler is installed
    // over the default action there.
    void foreignSigbusStillKills() {
        QTemporaryDir dir;
        const std::string big = (dir.path() + "/big.bin").toStdString();
        sparseFile(dir.path() + "/big.bin", qint64(70) << 20);
        const pid_t child = ::fork();
        if (child == 0) {
            ::signal(SIGBUS, SIG_DFL);
            const rlimit noCore{0, 0};
            ::setrlimit(RLIMIT_CORE, &noCore);
            auto file = core::MappedFile::open(big);  // installs the handler
            if (!file || !(*file)->mapped())
                ::_exit(3);
            ::raise(SIGBUS);
            ::_exit(0);
        }
        int status = 0;
        QElapsedTimer timer;
        timer.start();
        while (::waitpid(child, &status, WNOHANG) == 0 && timer.elapsed() < 20000) QTest::qWait(20);
        if (timer.elapsed() >= 20000) {
            ::kill(child, SIGKILL);
            ::waitpid(child, &status, 0);
            QFAIL("the child did not end");
        }
        QVERIFY2(WIFSIGNALED(status), qPrintable(QString::number(status)));
        QCOMPARE(WTERMSIG(status), SIGBUS);
    }

    void cliRefuses_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("code");
        QTest::addColumn<QStringList>("words");
        const QStringList fifoWords{"is a FIFO (named pipe), not a regular file"};
        QTest::newRow("model fifo")
            << "model fifo" << 3 << QStringList{"m.safetensors"} + fifoWords;
        QTest::newRow("npz fifo") << "npz fifo" << 3 << QStringList{"m.npz"} + fifoWords;
        QTest::newRow("index fifo")
            << "index fifo" << 3 << QStringList{"model.safetensors.index.json"} + fifoWords;
        QTest::newRow("index huge")
            << "index huge" << 3 << QStringList{"model.safetensors.index.json", "limit"};
        QTest::newRow("shard fifo")
            << "shard fifo" << 3 << QStringList{"shard 's.safetensors'"} + fifoWords;
        QTest::newRow("shard outside")
            << "shard outside" << 3
            << QStringList{"model.safetensors.index.json", "shard 's.safetensors'",
                           "outside the index's folder"};
        QTest::newRow("weights folder")
            << "weights folder" << 3 << QStringList{"model.safetensors", "is a directory"};
        QTest::newRow("model dangling")
            << "model dangling" << 3
            << QStringList{"link.safetensors", "symbolic link to a missing file"};
        QTest::newRow("model under a file")
            << "model under a file" << 3
            << QStringList{"file.txt/model", "a component of the path is a file"};
        QTest::newRow("config fifo")
            << "config fifo" << 3 << QStringList{"config.json"} + fifoWords;
        QTest::newRow("preprocessor fifo")
            << "preprocessor fifo" << 3 << QStringList{"preprocessor_config.json"} + fifoWords;
        QTest::newRow("config folder")
            << "config folder" << 3 << QStringList{"config.json", "is a directory"};
        QTest::newRow("preprocessor folder")
            << "preprocessor folder" << 3
            << QStringList{"preprocessor_config.json", "is a directory"};
        QTest::newRow("config dangling")
            << "config dangling" << 3
            << QStringList{"config.json", "symbolic link to a missing file"};
        QTest::newRow("preprocessor dangling")
            << "preprocessor dangling" << 3
            << QStringList{"preprocessor_config.json", "symbolic link to a missing file"};
        QTest::newRow("config huge") << "config huge" << 3 << QStringList{"config.json", "limit"};
        QTest::newRow("image fifo") << "image fifo" << 2 << QStringList{"i.png"} + fifoWords;
        QTest::newRow("npy fifo") << "npy fifo" << 2 << QStringList{"x.npy"} + fifoWords;
        QTest::newRow("npy /dev/zero")
            << "npy /dev/zero" << 2
            << QStringList{"/dev/zero", "is a character device, not a regular file"};
        QTest::newRow("idx fifo") << "idx fifo" << 2 << QStringList{"i.idx"} + fifoWords;
    }
    void cliRefuses() {
        QFETCH(QString, kind);
        QFETCH(int, code);
        QFETCH(QStringList, words);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QStringList args = setUpCase(kind, dir.path());
        QElapsedTimer timer;
        timer.start();
        const Cli run = cli(args);
        QVERIFY2(run.code == code, qPrintable(QString::number(run.code) + ": " + run.err));
        for (const QString& w : words) QVERIFY2(run.err.contains(w), qPrintable(run.err));
        QVERIFY2(!run.err.contains("header length"), qPrintable(run.err));
        QVERIFY(timer.elapsed() < 20000);
    }

    // chmod 000 does not stop root: root reads the file and loads the model, anyone else gets
    // "Permission denied" naming the file. Either way no silent guess.
    void unreadableConfigAndFolder_data() {
        QTest::addColumn<bool>("folder");
        QTest::newRow("config.json") << false;
        QTest::newRow("model folder") << true;
    }
    void unreadableConfigAndFolder() {
        QFETCH(bool, folder);
        QTemporaryDir dir;
        const QString model = modelFolder(dir.path());
        const QString target = folder ? model : model + "/config.json";
        QVERIFY(::chmod(target.toLocal8Bit().constData(), 0) == 0);
        const Cli run = cli({"info", "--json", "--model", model});
        ::chmod(target.toLocal8Bit().constData(), 0700);
        if (::geteuid() == 0) {
            QVERIFY2(run.code == 0, qPrintable(run.err));
        } else {
            QVERIFY2(run.code == 3, qPrintable(run.err));
            QVERIFY2(run.err.contains("Permission denied"), qPrintable(run.err));
            QVERIFY2(run.err.contains(folder ? "model" : "config.json"), qPrintable(run.err));
        }
    }

    // A preprocessor_config.json that is simply not there is still "absent: guess" (hf_vit_cls
    // has none).
    void missingConfigStillGuesses() {
        QTemporaryDir dir;
        const QString model = modelFolder(dir.path());
        QVERIFY(!core::pathEntryExists((model + "/preprocessor_config.json").toStdString()));
        QVERIFY(core::pathEntryExists((model + "/config.json").toStdString()));
        const Cli run = cli({"info", "--model", model});
        QVERIFY2(run.code == 0, qPrintable(run.err));
    }

    // Another file's first bytes are never printed as a number.
    void textIsNotAHeaderLength() {
        const std::string path = (kData + "/bad/text_as_safetensors.safetensors").toStdString();
        auto bytes = core::readFile(path, 4096);
        QVERIFY(bytes && bytes->size() >= 8);
        uint64_t asNumber = 0;
        std::memcpy(&asNumber, bytes->data(), 8);
        auto store = core::loadSafetensors(path);
        QVERIFY(!store);
        const QString msg = QString::fromStdString(store.error().message);
        QCOMPARE(store.error().code, core::ErrorCode::BadModel);
        QVERIFY2(msg.contains("text_as_safetensors.safetensors: is not a safetensors file (its "
                              "first 8 bytes are not a plausible header length"),
                 qPrintable(msg));
        QVERIFY2(!msg.contains(QString::number(asNumber)), qPrintable(msg));
    }

    // A symbolic link that stays in the index's folder is still followed.
    void shardLinkInsideFolderLoads() {
        QTemporaryDir dir;
        const QString io = kData + "/io/";
        for (const char* name :
             {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
              "model.safetensors.index.json"})
            QVERIFY(QFile::copy(io + name, dir.path() + "/" + name));
        const QString first = dir.path() + "/model-00001-of-00002.safetensors";
        QVERIFY(QFile::rename(first, dir.path() + "/real.safetensors"));
        symlink("real.safetensors", first);
        auto store = core::loadShardedSafetensors(
            (dir.path() + "/model.safetensors.index.json").toStdString());
        QVERIFY2(store, store ? "" : store.error().message.c_str());
    }

    // A 3 GB sparse .npz is neither read into memory nor a reason to wait.
    void sparseNpzCostsNoMemory() {
        QTemporaryDir dir;
        const QString path = dir.path() + "/big.npz";
        sparseFile(path, qint64(3) << 30);
        const long before = maxRssKb();
        QElapsedTimer timer;
        timer.start();
        auto store = core::loadNpz(path.toStdString());
        QVERIFY(!store);
        QCOMPARE(store.error().code, core::ErrorCode::BadModel);
        QVERIFY2(store.error().message.find("big.npz: not a zip archive") != std::string::npos,
                 store.error().message.c_str());
        QVERIFY(timer.elapsed() < 10000);
        QVERIFY2(maxRssKb() - before < 200 * 1024,
                 qPrintable(QString::number(maxRssKb() - before)));
    }

    // Packing hands the loaded weights' pages back (releaseWeightPages): for a checkpoint mapped
    // from its file, resident memory falls, the file stays in the page cache and a later read
    // sees the same values; owned memory (small files, converted dtypes) is never touched, since
    // dropping its pages would zero it.
    void releasedWeightPagesKeepTheirValues() {
        QTemporaryDir dir;
        const QString path = dir.path() + "/weights.bin";
        const int64_t count = int64_t{72} << 18;  // 72 MiB of floats: mapped, not read
        std::vector<float> values(static_cast<size_t>(count));
        for (int64_t i = 0; i < count; ++i) {
            values[static_cast<size_t>(i)] = static_cast<float>(i % 1000) * 0.25f - 7.0f;
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCOMPARE(f.write(reinterpret_cast<const char*>(values.data()), count * 4), count * 4);
        QVERIFY(f.flush());
        QCOMPARE(::fsync(f.handle()), 0);  // clean pages, as a checkpoint's are
        f.close();
        auto file = core::MappedFile::open(path.toStdString());
        QVERIFY(file);
        QVERIFY((*file)->mapped());
        const auto* mapped = reinterpret_cast<const float*>((*file)->bytes().data());
        QVERIFY(core::insideFileMapping(mapped, count * 4));
        QVERIFY(!core::insideFileMapping(values.data(), count * 4));
        double sum = 0;  // touch every page of the mapping
        for (int64_t i = 0; i < count; i += 1024) sum += mapped[i];
        QVERIFY(sum != 0);
        const auto residentKb = [&] {
            // This mapping's Rss line in /proc/self/smaps.
            QFile smaps("/proc/self/smaps");
            if (!smaps.open(QIODevice::ReadOnly))
                return -1LL;
            const auto begin = reinterpret_cast<uintptr_t>(mapped);
            bool inside = false;
            for (const QByteArray& line : smaps.readAll().split('\n')) {
                const int dash = line.indexOf('-');
                if (dash > 0 && line.indexOf(' ') > dash) {
                    bool ok = false;
                    inside = line.left(dash).toULongLong(&ok, 16) == begin && ok;
                } else if (inside && line.startsWith("Rss:")) {
                    return line.mid(4).trimmed().split(' ').front().toLongLong();
                }
            }
            return -1LL;
        };
        const long long before = residentKb();
        QVERIFY2(before > 60 * 1024, qPrintable(QString::number(before)));
        core::releaseWeightPages(mapped, count);
        const long long after = residentKb();
        if (core::oneDnnAvailable()) {  // without oneDNN nothing is packed or released
            QVERIFY2(after >= 0 && after < 1024, qPrintable(QString::number(after)));
        } else {
            QCOMPARE(after, before);
        }
        // The page cache still holds the file (MADV_PAGEOUT, used before, evicted it, and the
        // next load of the checkpoint read it from disk): mincore on a fresh mapping.
        const int fd = ::open(path.toLocal8Bit().constData(), O_RDONLY);
        QVERIFY(fd >= 0);
        const size_t bytes = static_cast<size_t>(count) * 4;
        void* view = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
        ::close(fd);
        QVERIFY(view != MAP_FAILED);
        const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
        std::vector<unsigned char> inCache((bytes + page - 1) / page);
        QCOMPARE(::mincore(view, bytes, inCache.data()), 0);
        ::munmap(view, bytes);
        const auto cached = std::count_if(inCache.begin(), inCache.end(),
                                          [](unsigned char c) { return (c & 1) != 0; });
        QVERIFY2(cached * 10 >= static_cast<long>(inCache.size()) * 9,
                 qPrintable(QString("%1 of %2 pages cached").arg(cached).arg(inCache.size())));
        for (int64_t i = 0; i < count; i += 997) {  // maps them again, from the page cache
            QCOMPARE(mapped[i], values[static_cast<size_t>(i)]);
        }
        // Owned memory keeps its content.
        core::releaseWeightPages(values.data(), count);
        for (int64_t i = 0; i < count; i += 997) {
            QCOMPARE(values[static_cast<size_t>(i)], static_cast<float>(i % 1000) * 0.25f - 7.0f);
        }
    }

    // Small files are read, large ones mapped; a mapped file truncated under the reader reads
    // as zeros past its new end and says so, without SIGBUS.
    void truncatedMapReadsZerosAndSaysSo() {
        QTemporaryDir dir;
        const QString path = dir.path() + "/big.bin";
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.resize(qint64(70) << 20));
        f.seek((qint64(70) << 20) - 1);
        f.write("\x7f", 1);
        f.close();
        auto file = core::MappedFile::open(path.toStdString());
        QVERIFY(file);
        QVERIFY((*file)->mapped());
        QVERIFY((*file)->intact());
        QVERIFY(::truncate(path.toLocal8Bit().constData(), 5000) == 0);
        const auto bytes = (*file)->bytes();
        QCOMPARE(std::to_integer<int>(bytes[bytes.size() - 1]), 0);  // would be SIGBUS
        QVERIFY((*file)->truncated());
        const auto st = (*file)->intact();
        QVERIFY(!st);
        QCOMPARE(st.error().code, core::ErrorCode::BadModel);
        QCOMPARE(QString::fromStdString(st.error().message),
                 QString("big.bin changed size while in use (truncated from %1 bytes to 5000 "
                         "bytes); reload it")
                     .arg(qint64(70) << 20));

        writeFile(dir.path() + "/small.bin", QByteArray(1000, 'a'));
        auto small = core::MappedFile::open((dir.path() + "/small.bin").toStdString());
        QVERIFY(small && !(*small)->mapped());
        QVERIFY(::truncate((dir.path() + "/small.bin").toLocal8Bit().constData(), 0) == 0);
        QCOMPARE(std::to_integer<char>((*small)->bytes()[999]), 'a');  // owned, unaffected
        QVERIFY((*small)->intact());
    }

    // The run path: weights used in place from a map that lost them give an error, not logits.
    void runAfterTruncationIsAnError() {
        QTemporaryDir dir;
        const QString folder = dir.path() + "/model";
        QDir().mkpath(folder);
        QVERIFY(QFile::copy(kModel + "/config.json", folder + "/config.json"));
        const qint64 keep = writeBigModel(folder);
        QVERIFY(keep > 0);
        auto model = core::loadModel(folder.toStdString());
        QVERIFY2(model, model ? "" : model.error().message.c_str());
        QVERIFY((*model)->info().mappedBytes > 0);
        const core::VitConfig& c = (*model)->config();
        core::ImageTensor input{c.channels, c.imageH, c.imageW,
                                std::vector<float>(size_t(c.channels) * c.imageH * c.imageW, 0.5f)};
        auto good = core::runTensor(*model, input);
        QVERIFY2(good, good ? "" : good.error().message.c_str());
        QVERIFY(::truncate((folder + "/model.safetensors").toLocal8Bit().constData(), keep) == 0);
        auto bad = core::runTensor(*model, input);
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, core::ErrorCode::BadModel);
        QVERIFY2(bad.error().message.find("model.safetensors changed size while in use (truncated "
                                          "from ") != std::string::npos &&
                     bad.error().message.find(std::to_string(keep) + " bytes); reload it") !=
                         std::string::npos,
                 bad.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestHostileFiles)
#include "tst_hostile_files.moc"
