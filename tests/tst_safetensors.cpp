// Tests for core/io/safetensors and TensorStore: exact values for every float dtype, borrowing
// versus copying, sharded checkpoints, one test row per broken fixture, and random corruption.

#include <QtTest>
#include <bit>
#include <cmath>
#include <cstring>
#include <random>

#include "core/io/file_util.h"
#include "core/io/mapped_file.h"
#include "core/io/safetensors.h"
#include "core/io/tensor_store.h"

using namespace vitscope::core;

namespace {

std::string ioPath(const char* name) { return std::string(VITSCOPE_TEST_DATA) + "/io/" + name; }
std::string badPath(const char* name) { return std::string(VITSCOPE_TEST_DATA) + "/bad/" + name; }

/// Bitwise equality, except that any NaN equals any NaN.
bool sameFloat(float a, float b) {
    if (std::isnan(a) || std::isnan(b)) {
        return std::isnan(a) && std::isnan(b);
    }
    return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b);
}

void compareTensors(const TensorStore& store, const char* name, const char* expectedName) {
    const StoredTensor* t = store.find(name);
    const StoredTensor* e = store.find(expectedName);
    QVERIFY2(t && e, name);
    QCOMPARE(t->numel(), e->numel());
    for (int64_t i = 0; i < t->numel(); ++i) {
        QVERIFY2(sameFloat(t->data[i], e->data[i]),
                 qPrintable(QStringLiteral("%1[%2]: %3 vs expected %4")
                                .arg(name)
                                .arg(i)
                                .arg(double(t->data[i]))
                                .arg(double(e->data[i]))));
    }
}

}  // namespace

class TestSafetensors : public QObject {
    Q_OBJECT

private slots:
    void dtypeHelpers() {
        QCOMPARE(std::string(toString(DType::BF16)), std::string("BF16"));
        QCOMPARE(dtypeSize(DType::F64), size_t{8});
        QCOMPARE(dtypeSize(DType::Bool), size_t{1});
        QCOMPARE(shapeToString({2304, 768}), std::string("(2304, 768)"));
        QCOMPARE(shapeToString({}), std::string("()"));
    }

    void halfConversion_data() {
        QTest::addColumn<int>("bits");
        QTest::addColumn<float>("expected");
        QTest::newRow("zero") << 0x0000 << 0.0f;
        QTest::newRow("one") << 0x3c00 << 1.0f;
        QTest::newRow("minus two") << 0xc000 << -2.0f;
        QTest::newRow("min subnormal") << 0x0001 << std::ldexp(1.0f, -24);
        QTest::newRow("max subnormal") << 0x03ff << 1023.0f * std::ldexp(1.0f, -24);
        QTest::newRow("min normal") << 0x0400 << std::ldexp(1.0f, -14);
        QTest::newRow("max") << 0x7bff << 65504.0f;
        QTest::newRow("inf") << 0x7c00 << INFINITY;
        QTest::newRow("-inf") << 0xfc00 << -INFINITY;
    }
    void halfConversion() {
        QFETCH(int, bits);
        QFETCH(float, expected);
        QVERIFY(sameFloat(detail::halfToFloat(static_cast<uint16_t>(bits)), expected));
    }
    void halfNanAndNegativeZero() {
        QVERIFY(std::isnan(detail::halfToFloat(0x7e00)));
        QVERIFY(std::isnan(detail::halfToFloat(0x7c01)));
        QVERIFY(std::signbit(detail::halfToFloat(0x8000)));
        QVERIFY(std::isnan(detail::bfloat16ToFloat(0x7fc0)));
        QCOMPARE(detail::bfloat16ToFloat(0x3f80), 1.0f);
    }

    void validFile() {
        auto store = loadSafetensors(ioPath("valid.safetensors"));
        QVERIFY2(store.ok(), store.ok() ? "" : store.error().message.c_str());

        // Integer buffers are skipped; all float tensors (and the empty one) are there.
        QVERIFY(!store->contains("position_ids"));
        QCOMPARE(store->size(), size_t{9});

        const StoredTensor* f32 = store->find("f32");
        QVERIFY(f32);
        QCOMPARE(f32->shape, (std::vector<int64_t>{2, 3}));
        const float expected[] = {0.5f, -1.25f, 3.0f, 1024.0f, -0.0f, 65504.0f};
        for (int i = 0; i < 6; ++i) {
            QVERIFY(sameFloat(f32->data[i], expected[i]));
        }
        QCOMPARE(f32->sourceDType, DType::F32);
        QCOMPARE(f32->file, std::string("valid.safetensors"));

        const StoredTensor* unaligned = store->find("f32_unaligned");
        QVERIFY(unaligned);
        QCOMPARE(unaligned->shape, (std::vector<int64_t>{3, 2}));
        for (int i = 0; i < 6; ++i) {
            QCOMPARE(unaligned->data[i], float(i + 1) / 4);
        }

        // F16/BF16/F64 against numpy's conversions stored next to them in the same file.
        compareTensors(*store, "f16", "f16_expected");
        compareTensors(*store, "bf16", "bf16_expected");
        compareTensors(*store, "f64", "f64_expected");
        QCOMPARE(store->find("bf16")->shape, (std::vector<int64_t>{3, 4}));
        QCOMPARE(store->find("f16")->sourceDType, DType::F16);

        QCOMPARE(store->find("empty")->numel(), int64_t{0});
    }

    void borrowedVersusCopied() {
        auto store = loadSafetensors(ioPath("valid.safetensors"));
        QVERIFY(store.ok());
        const uintptr_t aligned = reinterpret_cast<uintptr_t>(store->find("f32")->data);
        QCOMPARE(aligned % alignof(float), uintptr_t{0});
        // Aligned F32 tensors (f32, the *_expected ones, the empty one) are borrowed; the
        // unaligned F32 and every converted tensor are owned.
        const size_t borrowed = (6 + 13 + 12 + 6) * sizeof(float);
        QCOMPARE(store->borrowedBytes(), borrowed);
        const size_t owned = (6 + 13 + 12 + 6) * sizeof(float);  // f32_unaligned f16 bf16 f64
        QCOMPARE(store->ownedBytes(), owned);

        // The mapping outlives the MappedFile handle through the store (and a moved store).
        TensorStore moved = std::move(*store);
        QCOMPARE(moved.find("f32")->data[3], 1024.0f);
        moved.erase("f32");
        QVERIFY(!moved.contains("f32"));
        QCOMPARE(moved.borrowedBytes(), borrowed - 6 * sizeof(float));
        moved.erase("f16");
        QCOMPARE(moved.ownedBytes(), owned - 13 * sizeof(float));
    }

    void headerDetails() {
        auto bytes = readFile(ioPath("valid.safetensors"), 1 << 20);
        QVERIFY(bytes.ok());
        auto header = parseSafetensorsHeader(*bytes, "valid.safetensors");
        QVERIFY(header.ok());
        QCOMPARE(header->metadata.at("format"), std::string("pt"));
        QCOMPARE(header->tensors.size(), size_t{10});
        QCOMPARE(header->dataOffset % 8, uint64_t{0});
        QCOMPARE(header->tensors.front().begin, uint64_t{0});
        QCOMPARE(header->tensors.back().end, header->dataSize);
    }

    void duplicateTensorIsRefused() {
        auto file = MappedFile::open(ioPath("valid.safetensors"));
        QVERIFY(file.ok());
        TensorStore store;
        QVERIFY(addSafetensorsToStore(*file, "a.safetensors", store).ok());
        const size_t before = store.size();
        auto again = addSafetensorsToStore(*file, "b.safetensors", store);
        QVERIFY(!again.ok());
        QVERIFY(again.error().message.find("already loaded from a.safetensors") !=
                std::string::npos);
        QCOMPARE(store.size(), before);
    }

    void sharded() {
        auto store = loadShardedSafetensors(ioPath("model.safetensors.index.json"));
        QVERIFY2(store.ok(), store.ok() ? "" : store.error().message.c_str());
        QCOMPARE(store->size(), size_t{3});
        QCOMPARE(store->find("blocks.0.weight")->data[5], 5.0f);
        QCOMPARE(store->find("blocks.0.bias")->data[0], -1.5f);
        QCOMPARE(store->find("head.weight")->data[1], 2.0f);
        QCOMPARE(store->find("head.weight")->file, std::string("model-00002-of-00002.safetensors"));
    }

    void badFiles_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        const int bm = int(ErrorCode::BadModel);
        const int io = int(ErrorCode::Io);
        QTest::newRow("empty") << "empty.safetensors" << bm
                               << "empty.safetensors: file is 0 bytes, too short";
        QTest::newRow("short") << "short.safetensors" << bm << "too short";
        QTest::newRow("truncated")
            << "truncated.safetensors" << bm << "run past the end of the data section";
        QTest::newRow("header past end") << "header_past_end.safetensors" << bm
                                         << "header length 1000 runs past the end of the file";
        QTest::newRow("not json") << "header_not_json.safetensors" << bm
                                  << "header is not valid JSON";
        QTest::newRow("not object") << "header_not_object.safetensors" << bm
                                    << "header is a JSON array, expected an object";
        QTest::newRow("deep json") << "header_deep_json.safetensors" << bm << "nested deeper";
        QTest::newRow("metadata") << "metadata_not_string.safetensors" << bm
                                  << "__metadata__ must map strings to strings; key 'epochs'";
        QTest::newRow("offsets past end")
            << "offsets_past_end.safetensors" << bm
            << "tensor 'w': data_offsets [0, 4800) run past the end of the data section (48 bytes";
        QTest::newRow("overlap") << "offsets_overlap.safetensors" << bm
                                 << "tensor 'b': data_offsets [24, 48) overlap tensor 'a' [0, 48)";
        QTest::newRow("hole") << "offsets_hole.safetensors" << bm
                              << "bytes [16, 32) of the data section belong to no tensor";
        QTest::newRow("trailing") << "trailing_bytes.safetensors" << bm
                                  << "bytes [16, 48) of the data section belong to no tensor";
        QTest::newRow("reversed") << "offsets_reversed.safetensors" << bm
                                  << "data_offsets [48, 0) are reversed";
        QTest::newRow("negative offset")
            << "offsets_negative.safetensors" << bm << "'data_offsets' must be [begin, end]";
        QTest::newRow("byte mismatch")
            << "shape_byte_mismatch.safetensors" << bm
            << "shape_byte_mismatch.safetensors: tensor 'blocks.0.attn.qkv.weight': data_offsets "
               "[0, 100) hold 100 bytes, shape (3, 4) of F32 needs 48";
        QTest::newRow("shape overflow") << "shape_overflow.safetensors" << bm << "overflows";
        QTest::newRow("negative dim")
            << "shape_negative.safetensors" << bm << "negative dimension -3";
        QTest::newRow("unknown dtype")
            << "unknown_dtype.safetensors" << bm << "tensor 'w': unknown dtype 'F8_E4M3'";
        QTest::newRow("huge header") << "huge_header_len.safetensors" << bm
                                     << "first 8 bytes are not a plausible header length";
        QTest::newRow("missing") << "does_not_exist.safetensors" << io
                                 << "does_not_exist.safetensors: cannot open: No such file";
        QTest::newRow("directory") << "." << io << "is a directory";
    }
    void badFiles() {
        QFETCH(QString, file);
        QFETCH(int, code);
        QFETCH(QString, message);
        auto store = loadSafetensors(badPath(file.toUtf8().constData()));
        QVERIFY(!store.ok());
        QCOMPARE(int(store.error().code), code);
        QVERIFY2(store.error().message.find(message.toStdString()) != std::string::npos,
                 store.error().message.c_str());
    }

    void badShards_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing tensor")
            << "shard_missing_tensor.index.json"
            << "tensor 'y' is mapped to shard 'shard_a.safetensors', which does not contain it";
        QTest::newRow("escape") << "shard_escape.index.json"
                                << "must be a plain file name";
        QTest::newRow("dotdot") << "shard_dotdot.index.json"
                                << "shard name '..'";
        QTest::newRow("duplicate") << "shard_duplicate.index.json"
                                   << "tensor 'x' is already loaded from shard_a.safetensors";
        QTest::newRow("not an index") << "header_not_json.safetensors"
                                      << "not valid JSON";
        QTest::newRow("wrong json") << "offsets_hole.safetensors"
                                    << "not valid JSON";
    }
    void badShards() {
        QFETCH(QString, file);
        QFETCH(QString, message);
        auto store = loadShardedSafetensors(badPath(file.toUtf8().constData()));
        QVERIFY(!store.ok());
        QVERIFY2(store.error().message.find(message.toStdString()) != std::string::npos,
                 store.error().message.c_str());
    }

    void emptyMappedFile() {
        auto file = MappedFile::open(badPath("empty.safetensors"));
        QVERIFY(file.ok());
        QCOMPARE((*file)->bytes().size(), size_t{0});
    }

    /// Flip, overwrite and truncate bytes of a valid file many times: every outcome must be a
    /// clean ok or error (run under ASan/UBSan to make "no crash" strict).
    void randomCorruption() {
        auto original = readFile(ioPath("valid.safetensors"), 1 << 20);
        QVERIFY(original.ok());
        std::mt19937 rng(12345);
        int failures = 0;
        constexpr int kRounds = 3000;
        for (int round = 0; round < kRounds; ++round) {
            std::vector<std::byte> bytes = *original;
            const int edits = 1 + int(rng() % 4);
            for (int e = 0; e < edits; ++e) {
                const size_t pos = rng() % bytes.size();
                switch (rng() % 4) {
                    case 0:
                        bytes[pos] ^= std::byte(1u << (rng() % 8));
                        break;
                    case 1:
                        bytes[pos] = std::byte(rng() % 256);
                        break;
                    case 2:
                        bytes.resize(pos);
                        break;
                    default:
                        // hit the header length and the JSON more often
                        bytes[std::min(bytes.size() - 1, size_t(rng() % 16))] =
                            std::byte(rng() % 256);
                        break;
                }
                if (bytes.empty()) {
                    break;
                }
            }
            auto header = parseSafetensorsHeader(bytes, "fuzz");
            if (!header.ok()) {
                ++failures;
                QVERIFY(header.error().message.rfind("fuzz: ", 0) == 0);
                continue;
            }
            // A header that passed validation must describe the buffer exactly.
            for (const SafetensorsEntry& t : header->tensors) {
                QVERIFY(t.end <= header->dataSize);
            }
        }
        QVERIFY(failures > kRounds / 2);
    }
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
