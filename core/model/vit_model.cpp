#include "core/model/vit_model.h"

#include <omp.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <numeric>
#include <sstream>
#include <thread>

#include "core/model/layers.h"
#include "core/model/memory_plan.h"
#include "core/model/pos_interp.h"

namespace vitscope::core {

struct VitModel::Packer {
    std::thread thread;
    std::atomic<bool> stop{false};
    std::atomic<std::shared_ptr<const PackedEncoder>> ready;  // all of it, once complete
    // Each part as soon as it is packed, so that forwards stop reading a layer's loaded weights
    // (whose pages are handed back) from the moment its packed copy exists.
    std::atomic<std::shared_ptr<const PackedLinear>> patchEmbed;
    std::vector<std::atomic<std::shared_ptr<const PackedEncoder::Block>>> blocks;
    // Parts (0: the patch embedding, 1 + l: block l) are packed one at a time by the idle
    // packer thread, which takes those nobody has claimed, and by whoever waits for packing,
    // which packs every part not yet published, also one the packer thread is in the middle of:
    // on a busy machine a SCHED_IDLE thread may not run for minutes, and an unprivileged
    // thread cannot leave SCHED_IDLE. The first copy of a part published wins (under mutex).
    enum PartState : int { Unclaimed, Claimed, Published };
    std::vector<std::atomic<int>> state;
    int published = 0;  // under mutex
    // While someone waits the packer thread claims no new part: two packers at once hold two
    // parts' copies and scratch buffers (peak memory ~25 MB higher on ViT-B).
    std::atomic<int> waiters{0};
    explicit Packer(size_t depth) : blocks(depth), state(depth + 1) {}
    int parts() const { return static_cast<int>(state.size()); }
    mutable std::mutex mutex;
    mutable std::condition_variable finished;
    bool done = false;
    // Packing starts after the model's first forward (or when someone waits for it, or after
    // kStartDelay): its first-touch page faults run in the kernel, where idle priority does not
    // keep them off the cores, and they slowed the first forward of ViT-B by ~40 %.
    mutable std::condition_variable go;
    bool start = false;
};

namespace {
constexpr auto kStartDelay = std::chrono::seconds(2);
// How long a waiter lets the packer thread finish the part it is in before packing it too:
// ViT-B's largest part takes ~30 ms on an idle core.
constexpr auto kInFlightGrace = std::chrono::milliseconds(250);
}  // namespace

VitModel::VitModel(VitConfig config, VitWeights weights, std::vector<std::string> labels,
                   PreprocessRecipe recipe, ModelInfo info)
    : mConfig(std::move(config)),
      mWeights(std::move(weights)),
      mLabels(std::move(labels)),
      mRecipe(std::move(recipe)),
      mInfo(std::move(info)) {
    static std::atomic<uint64_t> nextId{1};
    mId = nextId.fetch_add(1);
    if (reachesOneDnn(mConfig) && !mWeights.blocks.empty()) {
        mPacker = std::make_unique<Packer>(mWeights.blocks.size());
        mPacker->thread = std::thread([this] {
            // Idle priority (inherited by its OpenMP threads): packing never takes a core from
            // a forward. oneDNN picks the packed layout for the thread count it sees, so this
            // thread has the one the forwards of this model will have.
            sched_param param{};
            pthread_setschedparam(pthread_self(), SCHED_IDLE, &param);
            omp_set_num_threads(numThreads());
            {
                std::unique_lock lock(mPacker->mutex);
                mPacker->go.wait_for(lock, kStartDelay,
                                     [this] { return mPacker->start || mPacker->stop; });
            }
            packParts(false);
            if (mPacker->stop) {
                // Whatever was not packed runs on the loaded weights; nobody waits for more.
                const std::lock_guard lock(mPacker->mutex);
                mPacker->done = true;
                mPacker->finished.notify_all();
            }
        });
    }
}

bool VitModel::reachesOneDnn(const VitConfig& c) {
    // ViT-Ti at 224 and larger.
    return gemmBackend() == GemmBackend::OneDnn &&
           c.numTokens() * c.embedDim * c.mlpDim >= (int64_t{1} << 20);
}

VitModel::~VitModel() {
    if (mPacker && mPacker->thread.joinable()) {
        {
            const std::lock_guard lock(mPacker->mutex);
            mPacker->stop = true;
        }
        mPacker->go.notify_all();
        mPacker->thread.join();
    }
}

std::shared_ptr<const PackedEncoder> VitModel::packedEncoder() const {
    return mPacker ? mPacker->ready.load() : nullptr;
}

PackedLinearPtr VitModel::packedPatchEmbed() const {
    return mPacker ? mPacker->patchEmbed.load() : nullptr;
}

std::shared_ptr<const PackedEncoder::Block> VitModel::packedBlock(int layer) const {
    if (!mPacker || layer < 0 || layer >= static_cast<int>(mPacker->blocks.size())) {
        return nullptr;
    }
    return mPacker->blocks[static_cast<size_t>(layer)].load();
}

void VitModel::startPacking() const {
    if (mPacker) {
        {
            const std::lock_guard lock(mPacker->mutex);
            mPacker->start = true;
        }
        mPacker->go.notify_all();
    }
}

void VitModel::waitForPacking() const {
    if (mPacker) {
        startPacking();
        // Pack every part not yet published on this thread, with the thread count the packer
        // uses (oneDNN picks the packed layout for it).
        const int saved = omp_get_max_threads();
        omp_set_num_threads(numThreads());
        mPacker->waiters.fetch_add(1);
        packParts(true);
        mPacker->waiters.fetch_sub(1);
        omp_set_num_threads(saved);
        std::unique_lock lock(mPacker->mutex);
        mPacker->finished.wait(lock, [this] { return mPacker->done; });
    }
}

void VitModel::packParts(bool waiter) const {
    Packer& p = *mPacker;
    const VitWeights& w = mWeights;
    const int64_t tokens = mConfig.numTokens();
    std::vector<float> scratch;  // q | k | v side by side while each layer is reordered
    auto one = [](const LinearWeights& lin, int64_t rows) -> PackedLinearPtr {
        if (!lin.present()) {
            return nullptr;
        }
        const LinearPart part{lin.weight, lin.bias, lin.out};
        return packLinear(&part, 1, lin.in, rows, true);
    };
    // First the parts nobody has claimed; then, for a waiter, those still in flight elsewhere
    // (at most one: the packer thread's), once the packer has had kInFlightGrace to finish it.
    const int passes = waiter ? 2 : 1;
    for (int i = 0; i < passes * p.parts() && !p.stop; ++i) {
        const int part = i % p.parts();
        if (!waiter && p.waiters.load() > 0) {
            return;  // the waiter packs the rest
        }
        if (waiter && i == p.parts()) {
            std::unique_lock lock(p.mutex);
            if (p.finished.wait_for(lock, kInFlightGrace, [&p] { return p.done; })) {
                return;
            }
        }
        int expected = Packer::Unclaimed;
        if (!p.state[static_cast<size_t>(part)].compare_exchange_strong(expected,
                                                                        Packer::Claimed) &&
            (i < p.parts() || expected == Packer::Published)) {
            continue;
        }
        PackedLinearPtr patchEmbed;
        std::shared_ptr<const PackedEncoder::Block> block;
        if (part == 0) {
            patchEmbed = one(w.patchEmbed, mConfig.numPatches());
        } else {
            const BlockWeights& b = w.blocks[static_cast<size_t>(part - 1)];
            PackedEncoder::Block pb;
            if (b.query.present() && b.key.present() && b.value.present() &&
                b.query.in == b.key.in && b.key.in == b.value.in) {
                const LinearPart parts[3] = {{b.query.weight, b.query.bias, b.query.out},
                                             {b.key.weight, b.key.bias, b.key.out},
                                             {b.value.weight, b.value.bias, b.value.out}};
                // A part without bias (a checkpoint with no key bias) gets zeros.
                pb.qkv = packLinear(parts, 3, b.query.in, tokens, true, &scratch);
            }
            pb.proj = one(b.proj, tokens);
            pb.fc1 = one(b.fc1, tokens);
            pb.fc2 = one(b.fc2, tokens);
            block = std::make_shared<const PackedEncoder::Block>(pb);
        }
        bool last = false;
        {
            const std::lock_guard lock(p.mutex);
            if (p.state[static_cast<size_t>(part)].exchange(Packer::Published) ==
                Packer::Published) {
                continue;  // the other packer's copy was first; this one goes
            }
            if (part == 0) {
                p.patchEmbed.store(std::move(patchEmbed));
            } else {
                p.blocks[static_cast<size_t>(part - 1)].store(std::move(block));
            }
            last = ++p.published == p.parts();
        }
        if (last) {
            finishPacking();
        }
    }
}

void VitModel::finishPacking() const {
    Packer& p = *mPacker;
    const VitWeights& w = mWeights;
    // A forward that began a layer before its packed copy was published read the loaded weights
    // again: hand their pages back once more, now that no forward starts on them.
    auto release = [](const LinearWeights& lin) {
        if (lin.present()) {
            releaseWeightPages(lin.weight, int64_t{lin.out} * lin.in);
        }
    };
    release(w.patchEmbed);
    for (const BlockWeights& b : w.blocks) {
        for (const LinearWeights* lin : {&b.query, &b.key, &b.value, &b.proj, &b.fc1, &b.fc2}) {
            release(*lin);
        }
    }
    auto packed = std::make_shared<PackedEncoder>();
    packed->patchEmbed = p.patchEmbed.load();
    for (const auto& block : p.blocks) {
        packed->blocks.push_back(*block.load());
    }
    const std::lock_guard lock(p.mutex);
    p.ready.store(std::move(packed));
    p.done = true;
    p.finished.notify_all();
}

const char* toString(InferredSetting::Kind kind) {
    switch (kind) {
        case InferredSetting::Kind::NumHeads:
            return "head count";
        case InferredSetting::Kind::Normalization:
            return "normalisation";
        case InferredSetting::Kind::Resize:
            return "resize";
        case InferredSetting::Kind::Labels:
            return "labels";
    }
    return "?";
}

const InferredSetting* ModelInfo::findInferred(InferredSetting::Kind kind) const {
    for (const InferredSetting& s : inferred) {
        if (s.kind == kind)
            return &s;
    }
    return nullptr;
}

std::string VitModel::label(int classIndex) const {
    if (classIndex >= 0 && classIndex < static_cast<int>(mLabels.size()))
        return mLabels[classIndex];
    return "class " + std::to_string(classIndex);
}

TokenLayout VitModel::tokenLayout(int gridH, int gridW) const {
    TokenLayout t;
    int next = 0;
    if (mConfig.classToken)
        t.clsIndex = next++;
    if (mConfig.distToken)
        t.distIndex = next++;
    if (mConfig.numRegisters > 0) {
        t.firstRegister = next;
        t.numRegisters = mConfig.numRegisters;
        next += mConfig.numRegisters;
    }
    t.numPrefix = next;
    t.gridH = gridH;
    t.gridW = gridW;
    return t;
}

/// Scratch of one forward pass (llama2.c's RunState). Buffers keep their capacity between runs
/// of the same shape, so repeated runs allocate only the result.
struct ForwardWorkspace {
    Matrix patches;   // (numPatches, C*P*P) unfolded input
    Matrix x;         // (N, D) residual stream
    Matrix h;         // (N, D) normalised input of a branch
    Matrix qkv;       // (N, 3D) queries | keys | values
    Matrix ctx;       // (N, D) concatenated head outputs
    Matrix branch;    // (N, D) output of a branch before the residual add
    Matrix mlp;       // (N, mlpDim)
    Matrix posCache;  // (numPatches, D) interpolated patch positions for the cached grid
    int posGridH = -1, posGridW = -1;
    PosInterp posInterp = PosInterp::Bicubic;
    uint64_t posModelId = 0;
};

void ForwardWorkspaceDeleter::operator()(ForwardWorkspace* w) const { delete w; }
WorkspacePtr makeWorkspace() { return WorkspacePtr(new ForwardWorkspace); }

Matrix patchPositionEmbeddings(const VitModel& model, int gridH, int gridW, PosInterp interp) {
    const VitConfig& c = model.config();
    if (c.posLayout == PosLayout::None || model.weights().posEmbed == nullptr)
        return Matrix(0, c.embedDim);
    const float* patchPos =
        model.weights().posEmbed + static_cast<size_t>(c.posPrefixEntries()) * c.embedDim;
    ConstMatrixMap table(patchPos, c.numPatches(), c.embedDim);
    return resampleGrid(table, c.gridH(), c.gridW(), gridH, gridW, interp);
}

namespace {

/// Unfolds (C, H, W) into one row per patch, columns in the conv kernel's (c, ky, kx) order.
void unfoldPatches(const ImageTensor& in, int p, int gridH, int gridW, Matrix& out) {
    out.resize(static_cast<Eigen::Index>(gridH) * gridW,
               static_cast<Eigen::Index>(in.channels) * p * p);
    for (int r = 0; r < gridH; ++r) {
        for (int c = 0; c < gridW; ++c) {
            float* row = out.row(static_cast<Eigen::Index>(r) * gridW + c).data();
            for (int ch = 0; ch < in.channels; ++ch) {
                for (int ky = 0; ky < p; ++ky) {
                    const float* src =
                        &in.data[(static_cast<size_t>(ch) * in.height + r * p + ky) * in.width +
                                 c * p];
                    std::copy(src, src + p, row + (static_cast<size_t>(ch) * p + ky) * p);
                }
            }
        }
    }
}

/// x (N, D) <- embedded tokens: [cls][dist][registers][patches] with position embeddings added
/// according to the checkpoint's layout.
void embed(const VitModel& model, const ImageTensor& input, const TokenLayout& t,
           const ForwardOptions& opt, const PackedLinearPtr& packed, ForwardWorkspace& ws) {
    const VitConfig& c = model.config();
    const VitWeights& w = model.weights();
    const int d = c.embedDim;
    const int np = t.numPatches();

    // Patch embedding: one GEMM over the unfolded patches.
    unfoldPatches(input, c.patchSize, t.gridH, t.gridW, ws.patches);
    ws.x.resize(t.numTokens(), d);
    detail::linear(ws.patches, w.patchEmbed, ws.x.bottomRows(np), packed);

    if (t.clsIndex >= 0)
        ws.x.row(t.clsIndex) = ConstVectorMap(w.clsToken, d).transpose();
    if (t.distIndex >= 0)
        ws.x.row(t.distIndex) = ConstVectorMap(w.distToken, d).transpose();
    if (t.numRegisters > 0) {
        ws.x.middleRows(t.firstRegister, t.numRegisters) =
            ConstMatrixMap(w.registers, t.numRegisters, d);
    }
    if (c.posLayout == PosLayout::None || opt.dropPositionEmbeddings)
        return;

    // Prefix positions, untouched by interpolation. ClassOnly: registers get none.
    ConstMatrixMap prefixPos(w.posEmbed, c.posPrefixEntries(), d);
    if (c.posLayout == PosLayout::EveryPrefix) {
        ws.x.topRows(t.numPrefix) += prefixPos;
    } else if (c.posLayout == PosLayout::ClassOnly && t.clsIndex >= 0) {
        ws.x.row(t.clsIndex) += prefixPos.row(0);
    }

    // Patch positions, resampled to this grid (cached per grid in the workspace).
    const PosInterp interp = opt.posInterp.value_or(c.defaultPosInterp);
    if (ws.posModelId != model.id() || ws.posGridH != t.gridH || ws.posGridW != t.gridW ||
        ws.posInterp != interp) {
        ws.posCache = patchPositionEmbeddings(model, t.gridH, t.gridW, interp);
        ws.posModelId = model.id();
        ws.posGridH = t.gridH;
        ws.posGridW = t.gridW;
        ws.posInterp = interp;
    }
    if (opt.positionPermutation.empty()) {
        ws.x.bottomRows(np) += ws.posCache;
    } else {
        for (int i = 0; i < np; ++i)
            ws.x.row(t.numPrefix + i) += ws.posCache.row(opt.positionPermutation[i]);
    }
}

/// Softmax of one block of score rows in place; writes each row's log-sum-exp into `lse`.
void softmaxRowsWithLse(Eigen::Ref<Matrix> s, float* lse) {
    for (Eigen::Index r = 0; r < s.rows(); ++r) {
        auto row = s.row(r);
        const float mx = row.maxCoeff();
        row = (row.array() - mx).exp().matrix();
        const float sum = row.sum();
        row /= sum;
        lse[r] = mx + std::log(sum);
    }
}

/// One head of a Rebuilt run: scores and softmax a block of query rows at a time (never the
/// whole N x N matrix), keeping the scaled queries, the keys and each row's log-sum-exp in
/// `stack`, and the head's output in `ctx`.
template <typename Q, typename K, typename V, typename C>
void rebuiltHead(const Q& q, const K& k, const V& v, float scale, AttentionStack& stack, int layer,
                 int head, C&& ctx) {
    const Eigen::Index n = q.rows();
    const int hd = static_cast<int>(q.cols());
    auto qs = stack.queries(layer).middleCols(head * hd, hd);
    qs = q * scale;
    stack.keys(layer).middleCols(head * hd, hd) = k;
    float* lse = stack.lse(layer).row(head).data();
    Matrix scores(std::min<Eigen::Index>(kRebuiltRowBlock, n), n);
    for (Eigen::Index r0 = 0; r0 < n; r0 += kRebuiltRowBlock) {
        const Eigen::Index rows = std::min<Eigen::Index>(kRebuiltRowBlock, n - r0);
        auto s = scores.topRows(rows);
        s.noalias() = qs.middleRows(r0, rows) * k.transpose();
        softmaxRowsWithLse(s, lse + r0);
        ctx.middleRows(r0, rows).noalias() = s * v;
    }
}

/// Multi-head self-attention over ws.h; keeps the probabilities in `stack` (whole, or in its
/// Rebuilt form) and writes the concatenated head outputs into ws.ctx.
void attention(const BlockWeights& b, const PackedLinearPtr& qkv, const VitConfig& c,
               AttentionStack& stack, int layer, ForwardWorkspace& ws) {
    const Eigen::Index n = ws.h.rows();
    const int d = c.embedDim;
    const int hd = c.headDim();
    ws.qkv.resize(n, 3 * d);
    if (!qkv || !detail::linearPacked(*qkv, ws.h.data(), ws.h.cols(), ws.qkv.data(),
                                      ws.qkv.outerStride(), n)) {
        detail::linear(ws.h, b.query, ws.qkv.middleCols(0, d));
        detail::linear(ws.h, b.key, ws.qkv.middleCols(d, d));
        detail::linear(ws.h, b.value, ws.qkv.middleCols(2 * d, d));
    }
    ws.ctx.resize(n, d);
    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
    // One head per OpenMP thread; Eigen runs single-threaded inside a parallel region.
#pragma omp parallel for schedule(static)
    for (int head = 0; head < c.numHeads; ++head) {
        const auto q = ws.qkv.middleCols(head * hd, hd);
        const auto k = ws.qkv.middleCols(d + head * hd, hd);
        const auto v = ws.qkv.middleCols(2 * d + head * hd, hd);
        if (!stack.isFull()) {
            rebuiltHead(q, k, v, scale, stack, layer, head, ws.ctx.middleCols(head * hd, hd));
            continue;
        }
        MatrixMap p = stack.at(layer, head);  // (N, N)
        const int64_t ld = 3 * int64_t{d};    // q, k and v are column blocks of ws.qkv
        detail::gemmABt(q.data(), ld, k.data(), ld, p.data(), n, n, n, hd, nullptr, scale);
        detail::softmaxRows(p);
        auto ctx = ws.ctx.middleCols(head * hd, hd);
        detail::gemmAB(p.data(), n, v.data(), ld, ctx.data(), ctx.outerStride(), n, hd, n);
    }
}

void addScaled(Matrix& x, const Matrix& branch, const float* gamma) {
    if (gamma == nullptr) {
        x += branch;
    } else {
        x += (branch.array().rowwise() * ConstVectorMap(gamma, branch.cols()).transpose().array())
                 .matrix();
    }
}

Status checkInput(const VitModel& model, const ImageTensor& input, const ForwardOptions& opt) {
    const VitConfig& c = model.config();
    if (input.channels != c.channels) {
        return makeError(ErrorCode::Usage, "input has " + std::to_string(input.channels) +
                                               " channels, the model expects " +
                                               std::to_string(c.channels));
    }
    if (input.data.size() != static_cast<size_t>(input.channels) * input.height * input.width) {
        return makeError(ErrorCode::Usage, "input buffer size does not match its (C, H, W) shape");
    }
    auto grid = c.gridFor(input.height, input.width);
    if (!grid)
        return grid.error();
    if (!opt.positionPermutation.empty()) {
        const int np = grid->h * grid->w;
        std::vector<char> seen(np, 0);
        bool okPerm = static_cast<int>(opt.positionPermutation.size()) == np;
        for (int i = 0; okPerm && i < np; ++i) {
            const int v = opt.positionPermutation[i];
            okPerm = v >= 0 && v < np && !seen[v];
            if (okPerm)
                seen[v] = 1;
        }
        if (!okPerm)
            return makeError(ErrorCode::Usage,
                             "positionPermutation is not a permutation of the patches");
    }
    return Ok{};
}

/// One pre-norm transformer block, in place on ws.x (n tokens); attention probabilities of
/// `layer` go into `stack`. `packed`: the block's packed weights, or null.
void runBlock(const BlockWeights& b, const PackedEncoder::Block* packed, const VitConfig& c,
              AttentionStack& stack, int layer, int n, ForwardWorkspace& ws) {
    static const PackedEncoder::Block kNone{};
    const PackedEncoder::Block& p = packed ? *packed : kNone;
    // Attention branch: x += ls1 * proj(MHSA(norm1(x))).
    detail::layerNorm(ws.x, b.norm1, c.layerNormEps, ws.h);
    attention(b, p.qkv, c, stack, layer, ws);
    ws.branch.resize(n, c.embedDim);
    detail::linear(ws.ctx, b.proj, ws.branch, p.proj);
    addScaled(ws.x, ws.branch, b.layerScale1);
    // MLP branch: x += ls2 * fc2(act(fc1(norm2(x)))).
    detail::layerNorm(ws.x, b.norm2, c.layerNormEps, ws.h);
    ws.mlp.resize(n, c.mlpDim);
    detail::linear(ws.h, b.fc1, ws.mlp, p.fc1);
    detail::activate(ws.mlp, c.activation);
    detail::linear(ws.mlp, b.fc2, ws.branch, p.fc2);
    addScaled(ws.x, ws.branch, b.layerScale2);
}

/// Pooled features of r.hidden: class token, mean of patch tokens, or both; then the optional
/// fc_norm (into r.features) and pre-logits layer (returned, not in r.features).
Matrix pool(const VitConfig& c, const VitWeights& w, InferenceResult& r) {
    const int np = r.tokens.numPatches();
    const int pre = r.tokens.numPrefix;
    Matrix pooled(1, c.pooledDim());
    switch (c.pooling) {
        case Pooling::ClassToken:
            pooled = r.hidden.row(r.tokens.clsIndex);
            break;
        case Pooling::MeanPatches:
            pooled = r.hidden.middleRows(pre, np).colwise().mean();
            break;
        case Pooling::ClassAndMeanPatches:
            pooled.leftCols(c.embedDim) = r.hidden.row(r.tokens.clsIndex);
            pooled.rightCols(c.embedDim) = r.hidden.middleRows(pre, np).colwise().mean();
            break;
    }
    if (c.fcNorm)
        detail::layerNorm(Matrix(pooled), w.fcNorm, c.layerNormEps, pooled);
    r.features = pooled.row(0).transpose();
    if (c.preLogits) {
        Matrix t(1, c.embedDim);
        detail::linear(pooled, w.preLogits, t);
        pooled = t.array().tanh().matrix();
    }
    return pooled;
}

/// Everything after the last block: final norm into r.hidden, pooling into r.features, and the
/// classifier head(s) into r.logits / r.probabilities.
void runHead(const VitConfig& c, const VitWeights& w, ForwardWorkspace& ws, InferenceResult& r) {
    // Final norm over all tokens.
    if (c.finalNorm) {
        detail::layerNorm(ws.x, w.norm, c.layerNormEps, r.hidden);
    } else {
        r.hidden = ws.x;
    }
    // Pooling: class token, mean of patch tokens, or both (then fc_norm / pre-logits).
    const Matrix pooled = pool(c, w, r);
    // Head(s): DeiT's distilled models average the class and distillation heads.
    if (!c.hasHead())
        return;
    Matrix logits(1, c.numClasses);
    detail::linear(pooled, w.head, logits);
    if (c.distHead) {
        Matrix dist(1, c.numClasses);
        detail::linear(Matrix(r.hidden.row(r.tokens.distIndex)), w.headDist, dist);
        logits = (logits + dist) * 0.5f;
    }
    r.logits = logits.row(0).transpose();
    const float mx = r.logits.maxCoeff();
    r.probabilities = (r.logits.array() - mx).exp().matrix();
    r.probabilities /= r.probabilities.sum();
}

bool cancelled(const ForwardOptions& opt) {
    return opt.cancel != nullptr && opt.cancel->load(std::memory_order_relaxed);
}

}  // namespace

namespace {

Result<InferenceResult> forwardPlanned(const VitModel& model, const ImageTensor& input,
                                       const ForwardOptions& opt, ForwardWorkspace& ws,
                                       MemoryPlan plan) {
    const VitConfig& c = model.config();
    const VitWeights& w = model.weights();
    InferenceResult r;
    r.inputH = input.height;
    r.inputW = input.width;
    r.tokens = model.tokenLayout(input.height / c.patchSize, input.width / c.patchSize);
    const int n = r.tokens.numTokens();
    r.attention = plan.storage == AttentionStorage::Full
                      ? AttentionStack(c.depth, c.numHeads, n)
                      : AttentionStack::rebuilt(c.depth, c.numHeads, n, c.headDim());
    r.memory = std::move(plan);
    // Threads for this run's GEMMs and head loop, on the calling thread only (the OpenMP
    // thread count is a per-thread setting, so concurrent runs do not disturb each other).
    const int before = omp_get_max_threads();
    omp_set_num_threads(omp_in_parallel() ? 1 : forwardThreads(c, n));
    struct RestoreThreads {
        int threads;
        ~RestoreThreads() { omp_set_num_threads(threads); }
    } restore{before};

    // 1. Tokens: patch embedding, prefix tokens, position embeddings (resampled if needed).
    // Each layer takes its packed weights when it starts, if they are ready by then.
    embed(model, input, r.tokens, opt, model.packedPatchEmbed(), ws);
    // 2. Optional pre-norm of the whole sequence (CLIP-style models).
    if (c.normPre)
        detail::layerNorm(ws.x, w.normPre, c.layerNormEps, ws.x);
    // 3. Transformer blocks (attention + MLP branches), cancellable between blocks.
    for (int layer = 0; layer < c.depth; ++layer) {
        if (cancelled(opt))
            return makeError(ErrorCode::Cancelled, "cancelled");
        const auto packed = model.packedBlock(layer);
        runBlock(w.blocks[layer], packed.get(), c, r.attention, layer, n, ws);
        if (opt.progress)
            opt.progress(layer + 1, c.depth);
    }
    if (cancelled(opt))
        return makeError(ErrorCode::Cancelled, "cancelled");
    // 4. Final norm, pooling and classifier head(s).
    runHead(c, w, ws, r);
    model.startPacking();  // the first result is out: packing may take the machine now
    return r;
}

}  // namespace

Result<InferenceResult> runForward(const VitModel& model, const ImageTensor& input,
                                   const ForwardOptions& opt, ForwardWorkspace* workspace) {
    if (auto st = checkInput(model, input, opt); !st)
        return st.error();
    const VitConfig& c = model.config();
    auto plan = planForward(c, input.height / c.patchSize, input.width / c.patchSize,
                            opt.memoryBudget != 0 ? opt.memoryBudget : defaultMemoryBudget(),
                            opt.attentionStorage);
    if (!plan)
        return plan.error();
    try {
        WorkspacePtr local;
        if (workspace == nullptr) {
            local = makeWorkspace();
            workspace = local.get();
        }
        return forwardPlanned(model, input, opt, *workspace, std::move(plan.value()));
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::Usage, "out of memory: the machine could not provide the " +
                                               formatBytes(plan->totalBytes()) +
                                               " this run needs (" + plan->summary() + ")");
    }
}

std::vector<Prediction> topK(const VitModel& model, const InferenceResult& result, int k) {
    std::vector<Prediction> out;
    const int classes = static_cast<int>(result.logits.size());
    if (classes == 0 || k <= 0)
        return out;
    std::vector<int> order(classes);
    std::iota(order.begin(), order.end(), 0);
    k = std::min(k, classes);
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int a, int b) {
        return result.logits[a] > result.logits[b] ||
               (result.logits[a] == result.logits[b] && a < b);
    });
    for (int i = 0; i < k; ++i) {
        const int ci = order[i];
        out.push_back({ci, result.probabilities[ci], result.logits[ci], model.label(ci)});
    }
    return out;
}

namespace {
std::atomic<int> gThreads{0};  // 0: OpenMP's default (one per core)
}  // namespace

void setNumThreads(int threads) {
    threads = std::max(1, threads);
    gThreads.store(threads);
    omp_set_num_threads(threads);  // this thread's own parallel regions (eval's image loop)
}

int numThreads() {
    const int set = gThreads.load();
    return set > 0 ? set : omp_get_num_procs();
}

int64_t forwardFlops(const VitConfig& c, int tokens) {
    const int64_t n = tokens;
    const int64_t d = c.embedDim;
    const int64_t perLayer = 2 * n * d * (3 * d + d + 2 * int64_t{c.mlpDim}) + 4 * n * n * d;
    return perLayer * c.depth;
}

int forwardThreads(const VitConfig& c, int tokens) {
    // A parallel region costs microseconds on an idle machine and up to a scheduler slice when
    // the other cores are busy; below a few MFLOP per region (the bundled 50-token model has
    // ~0.5) one thread is faster on both. About seven regions run per block.
    constexpr int64_t kMinFlopsPerRegion = 4'000'000;
    const int64_t regions = 7 * int64_t{std::max(1, c.depth)};
    return forwardFlops(c, tokens) / regions < kMinFlopsPerRegion ? 1 : numThreads();
}

}  // namespace vitscope::core
