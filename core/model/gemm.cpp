#include "core/model/gemm.h"

#include <Eigen/Core>
#include <algorithm>
#include <atomic>

#include "core/io/mapped_file.h"
#include "core/tensor.h"

#ifdef VITSCOPE_ONEDNN
#include <omp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <dnnl.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <vector>
#endif

namespace vitscope::core {

namespace {

std::atomic<GemmBackend> gBackend{defaultGemmBackend()};

using Stride = Eigen::OuterStride<>;
using ConstStrided = Eigen::Map<const Matrix, Eigen::Unaligned, Stride>;
using Strided = Eigen::Map<Matrix, Eigen::Unaligned, Stride>;

void addBias(float* c, int64_t ldc, int64_t m, int64_t n, const float* bias) {
    Strided out(c, m, n, Stride(ldc));
    out.rowwise() += ConstVectorMap(bias, n).transpose();
}

}  // namespace

GemmBackend defaultGemmBackend() {
#ifdef VITSCOPE_ONEDNN
    return GemmBackend::OneDnn;
#else
    return GemmBackend::Eigen;
#endif
}

bool oneDnnAvailable() { return defaultGemmBackend() == GemmBackend::OneDnn; }

void setGemmBackend(GemmBackend backend) {
    gBackend.store(oneDnnAvailable() ? backend : GemmBackend::Eigen);
}

GemmBackend gemmBackend() { return gBackend.load(); }

namespace {
// Below ~1M multiply-adds Eigen is as fast, and it spares the process oneDNN's start-up
// (~35-60 ms of kernel generation on the first call): the bundled model never pays it.
constexpr int64_t kOneDnnMinMacs = int64_t{1} << 20;
std::atomic<int64_t> gPackedProducts{0};
}  // namespace

int64_t packedProducts() { return gPackedProducts.load(); }

#ifdef VITSCOPE_ONEDNN
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
constexpr auto kF32 = memory::data_type::f32;

dnnl::engine& cpuEngine() {
    static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    return engine;
}

/// A buffer in transparent huge pages where the kernel allows it (madvise mode): the packed
/// weights are first touched once, at load, and 4-KiB faults cost ~13 us each on these VMs.
struct HugeBuffer {
    explicit HugeBuffer(size_t bytes) : size(bytes) {
        // Aligned to a huge page, not rounded up to one: the tail takes 4-KiB pages, so no
        // buffer wastes up to 2 MiB (48 of them in ViT-B).
        constexpr size_t kHuge = size_t{2} << 20;
        if (posix_memalign(&data, kHuge, bytes) != 0) {
            data = nullptr;
        } else {
            madvise(data, bytes / kHuge * kHuge, MADV_HUGEPAGE);  // advice only
        }
    }
    ~HugeBuffer() { std::free(data); }
    HugeBuffer(const HugeBuffer&) = delete;
    HugeBuffer& operator=(const HugeBuffer&) = delete;
    void* data = nullptr;
    size_t size = 0;
};

/// Drops the whole pages of [p, p + bytes) from this process when they belong to a checkpoint
/// mapped read-only from its file: resident memory falls, the pages stay in the page cache
/// (MADV_PAGEOUT evicted them from it, so the next load of the same checkpoint read it from
/// disk), and a later read maps them again with the file's content. Owned memory (small files
/// read into memory, converted dtypes, built models) is left alone: there this would zero it.
void releasePages(const void* p, size_t bytes) {
    if (!insideFileMapping(p, bytes)) {
        return;
    }
    const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const auto begin = (reinterpret_cast<uintptr_t>(p) + page - 1) / page * page;
    const auto end = (reinterpret_cast<uintptr_t>(p) + bytes) / page * page;
    if (end > begin) {
        madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
    }
}

/// A matmul for one input shape and thread count, with its memory descriptors.
struct PackedKernel {
    dnnl::matmul matmul;
    memory::desc src, dst, scratchpad;
};

}  // namespace

struct PackedLinear {
    int64_t in = 0;
    int64_t out = 0;
    std::unique_ptr<HugeBuffer> buffer;
    memory::desc weightsDesc;  // the blocked layout oneDNN chose
    memory weights;
    std::vector<float> biasValues;  // (out) or empty
    memory::desc biasDesc;
    memory bias;
    // (rows, input row stride, output row stride, threads) -> kernel; null: unsupported.
    using Key = std::tuple<int64_t, int64_t, int64_t, int>;
    mutable std::mutex mutex;
    mutable std::map<Key, std::shared_ptr<const PackedKernel>> kernels;

    /// The matmul for this shape, built on first use; null when oneDNN has none for it.
    std::shared_ptr<const PackedKernel> kernelFor(int64_t m, int64_t ldx, int64_t ldy) const;
};

std::shared_ptr<const PackedKernel> PackedLinear::kernelFor(int64_t m, int64_t ldx,
                                                            int64_t ldy) const {
    // oneDNN sizes its work split by the thread count when the primitive is created.
    const Key key{m, ldx, ldy, omp_get_max_threads()};
    const std::lock_guard lock(mutex);
    if (auto it = kernels.find(key); it != kernels.end()) {
        return it->second;
    }
    std::shared_ptr<const PackedKernel> made;
    try {
        auto k = std::make_shared<PackedKernel>();
        k->src = memory::desc({m, in}, kF32, memory::dims{ldx, 1});
        k->dst = memory::desc({m, out}, kF32, memory::dims{ldy, 1});
        dnnl::primitive_attr attr;
        attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // one per call: thread-safe
        const dnnl::matmul::desc desc(k->src, weightsDesc, biasDesc, k->dst);
        const dnnl::matmul::primitive_desc pd(desc, attr, cpuEngine());
        if (pd.weights_desc() == weightsDesc) {
            k->scratchpad = pd.scratchpad_desc();
            k->matmul = dnnl::matmul(pd);
            made = std::move(k);
        }
    } catch (const dnnl::error&) {
        made = nullptr;  // no matmul for this shape on the packed layout: sgemm instead
    }
    kernels.emplace(key, made);
    return made;
}

PackedLinearPtr packLinear(const LinearPart* parts, int count, int64_t in, int64_t rows,
                           bool releaseOriginal, std::vector<float>* scratch) {
    int64_t out = 0;
    for (int i = 0; i < count; ++i) {
        out += parts[i].out;
    }
    // Whatever the backend is now: the forward checks it when it runs (linearPacked).
    if (count <= 0 || in <= 0 || rows <= 0 || rows * out * in < kOneDnnMinMacs) {
        return nullptr;
    }
    try {
        auto p = std::make_shared<PackedLinear>();
        p->in = in;
        p->out = out;
        bool hasBias = false;
        for (int i = 0; i < count; ++i) {
            hasBias = hasBias || parts[i].bias != nullptr;
        }
        if (hasBias) {
            p->biasDesc = memory::desc({1, out}, kF32, Tag::ab);
        }
        const dnnl::matmul::desc desc(memory::desc({rows, in}, kF32, Tag::ab),
                                      memory::desc({in, out}, kF32, Tag::any), p->biasDesc,
                                      memory::desc({rows, out}, kF32, Tag::ab));
        dnnl::primitive_attr attr;
        attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
        const dnnl::matmul::primitive_desc pd(desc, attr, cpuEngine());
        p->weightsDesc = pd.weights_desc();
        p->buffer = std::make_unique<HugeBuffer>(p->weightsDesc.get_size());
        if (p->buffer->data == nullptr) {
            return nullptr;
        }
        p->weights = memory(p->weightsDesc, cpuEngine(), p->buffer->data);
        // W (out x in, row-major) is the (in, out) weights matrix in layout "ba"; the parts side
        // by side are their rows one after the other.
        std::vector<float> own;
        std::vector<float>& joined = scratch ? *scratch : own;
        const float* source = parts[0].weight;
        if (count > 1) {
            joined.clear();
            for (int i = 0; i < count; ++i) {
                joined.insert(joined.end(), parts[i].weight, parts[i].weight + parts[i].out * in);
                if (releaseOriginal) {  // copied: the original is not read again here
                    releasePages(parts[i].weight, sizeof(float) * parts[i].out * in);
                }
            }
            source = joined.data();
        }
        memory user(memory::desc({in, out}, kF32, Tag::ba), cpuEngine(),
                    const_cast<float*>(source));
        dnnl::stream stream(cpuEngine());
        dnnl::reorder(user, p->weights).execute(stream, user, p->weights);
        stream.wait();
        if (hasBias) {
            p->biasValues.reserve(static_cast<size_t>(out));
            for (int i = 0; i < count; ++i) {
                if (parts[i].bias == nullptr) {
                    p->biasValues.insert(p->biasValues.end(), parts[i].out, 0.0f);
                } else {
                    p->biasValues.insert(p->biasValues.end(), parts[i].bias,
                                         parts[i].bias + parts[i].out);
                }
            }
            p->bias = memory(p->biasDesc, cpuEngine(), p->biasValues.data());
        }
        if (releaseOriginal && count == 1) {
            releasePages(parts[0].weight, sizeof(float) * parts[0].out * in);
        }
        return p;
    } catch (const dnnl::error&) {
        return nullptr;
    } catch (const std::bad_alloc&) {
        return nullptr;
    }
}

void releaseWeightPages(const float* weights, int64_t count) {
    releasePages(weights, sizeof(float) * static_cast<size_t>(std::max<int64_t>(count, 0)));
}

namespace detail {

bool linearPacked(const PackedLinear& packed, const float* x, int64_t ldx, float* y, int64_t ldy,
                  int64_t m) {
    if (gBackend.load(std::memory_order_relaxed) != GemmBackend::OneDnn || m <= 0) {
        return false;
    }
    const auto kernel = packed.kernelFor(m, ldx, ldy);
    if (!kernel) {
        return false;
    }
    thread_local std::vector<unsigned char> scratch;
    thread_local std::optional<dnnl::stream> stream;
    try {
        if (scratch.size() < kernel->scratchpad.get_size()) {
            scratch.resize(kernel->scratchpad.get_size());
        }
        if (!stream) {
            stream.emplace(cpuEngine());
        }
        memory src(kernel->src, cpuEngine(), const_cast<float*>(x));
        memory dst(kernel->dst, cpuEngine(), y);
        memory pad(kernel->scratchpad, cpuEngine(), scratch.data());
        std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src},
                                             {DNNL_ARG_WEIGHTS, packed.weights},
                                             {DNNL_ARG_DST, dst},
                                             {DNNL_ARG_SCRATCHPAD, pad}};
        if (!packed.biasValues.empty()) {
            args.emplace(DNNL_ARG_BIAS, packed.bias);
        }
        kernel->matmul.execute(*stream, args);
        stream->wait();
        gPackedProducts.fetch_add(1, std::memory_order_relaxed);
        return true;
    } catch (const dnnl::error&) {
        return false;
    }
}

}  // namespace detail

#else  // no oneDNN: nothing is ever packed

struct PackedLinear {};

PackedLinearPtr packLinear(const LinearPart*, int, int64_t, int64_t, bool, std::vector<float>*) {
    return nullptr;
}

void releaseWeightPages(const float*, int64_t) {}

namespace detail {
bool linearPacked(const PackedLinear&, const float*, int64_t, float*, int64_t, int64_t) {
    return false;
}
}  // namespace detail

#endif

namespace detail {

namespace {

/// The one implementation: op(b) = b^T when transB.
void gemm(bool transB, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
          int64_t ldc, int64_t m, int64_t n, int64_t k, const float* bias, float alpha) {
    if (m == 0 || n == 0) {
        return;
    }
#ifdef VITSCOPE_ONEDNN
    if (gBackend.load(std::memory_order_relaxed) == GemmBackend::OneDnn && k > 0 &&
        m * n * k >= kOneDnnMinMacs) {
        // Row-major C = alpha A op(B). Fails only on invalid sizes, which callers never pass.
        if (dnnl_sgemm('N', transB ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, 0.0f, c, ldc) ==
            dnnl_success) {
            if (bias != nullptr) {
                addBias(c, ldc, m, n, bias);
            }
            return;
        }
    }
#endif
    Strided out(c, m, n, Stride(ldc));
    const ConstStrided left(a, m, k, Stride(lda));
    if (transB) {
        out.noalias() = alpha * left * ConstStrided(b, n, k, Stride(ldb)).transpose();
    } else {
        out.noalias() = alpha * left * ConstStrided(b, k, n, Stride(ldb));
    }
    if (bias != nullptr) {
        addBias(c, ldc, m, n, bias);
    }
}

}  // namespace

void gemmABt(const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
             int64_t m, int64_t n, int64_t k, const float* bias, float alpha) {
    gemm(true, a, lda, b, ldb, c, ldc, m, n, k, bias, alpha);
}

void gemmAB(const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
            int64_t m, int64_t n, int64_t k, float alpha) {
    gemm(false, a, lda, b, ldb, c, ldc, m, n, k, nullptr, alpha);
}

}  // namespace detail
}  // namespace vitscope::core
