#include "core/analysis/embedding_filters.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cassert>
#include <string>

#include "core/model/vit_model.h"

namespace vitscope::core {

Result<FilterComponents> principalComponents(const Matrix& filters, int count) {
    const Eigen::Index n = filters.rows();
    const Eigen::Index dim = filters.cols();
    if (n < 2 || dim < 1) {
        return makeError(ErrorCode::BadData,
                         "embedding filters: (" + std::to_string(n) + ", " + std::to_string(dim) +
                             "), expected at least 2 filters of at least 1 weight");
    }
    if (count <= 0) {
        return makeError(ErrorCode::BadData, "embedding filters: " + std::to_string(count) +
                                                 " components requested, expected > 0");
    }
    if (!filters.allFinite()) {
        return makeError(ErrorCode::BadData, "embedding filters: non-finite weight");
    }

    const Eigen::MatrixXd x = filters.cast<double>();    // (D, CPP)
    const Eigen::RowVectorXd mean = x.colwise().mean();  // (CPP)
    const Eigen::MatrixXd centred = x.rowwise() - mean;  // (D, CPP)
    const Eigen::MatrixXd cov =
        (centred.transpose() * centred) / static_cast<double>(n - 1);  // (CPP, CPP)
    const double totalVariance = cov.trace();
    if (!(totalVariance > 0.0)) {
        return makeError(ErrorCode::BadData, "embedding filters: zero variance (all " +
                                                 std::to_string(n) + " filters are identical)");
    }

    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(cov);
    if (solver.info() != Eigen::Success) {
        return makeError(ErrorCode::BadData, "embedding filters: eigen-decomposition failed");
    }
    // Eigen sorts eigenvalues increasingly: take them from the back.
    const int k = static_cast<int>(std::min<Eigen::Index>(count, dim));
    FilterComponents out;
    out.components.resize(k, dim);
    out.explainedVarianceRatio.resize(static_cast<size_t>(k));
    for (int i = 0; i < k; ++i) {
        const Eigen::Index src = dim - 1 - i;
        Eigen::VectorXd v = solver.eigenvectors().col(src);
        Eigen::Index argMax = 0;
        v.cwiseAbs().maxCoeff(&argMax);
        if (v(argMax) < 0.0) {
            v = -v;  // deterministic sign
        }
        out.components.row(i) = v.transpose().cast<float>();
        // Round-off can leave tiny negative eigenvalues for a rank-deficient covariance.
        const double variance = std::max(0.0, solver.eigenvalues()(src));
        out.explainedVarianceRatio[static_cast<size_t>(i)] =
            static_cast<float>(variance / totalVariance);
    }
    out.mean = mean.cast<float>();
    return out;
}

std::vector<float> toDisplayTile(const RowVector& component, int channels, int patchSize) {
    assert(component.size() == static_cast<Eigen::Index>(channels) * patchSize * patchSize);
    std::vector<float> tile(static_cast<size_t>(component.size()));  // (C, P, P)
    if (component.size() == 0) {
        return tile;
    }
    const float lo = component.minCoeff();
    const float hi = component.maxCoeff();
    const float range = hi - lo;
    for (Eigen::Index i = 0; i < component.size(); ++i) {
        tile[static_cast<size_t>(i)] = range > 0.0f ? (component(i) - lo) / range : 0.5f;
    }
    return tile;
}

Result<FilterComponents> modelFilterComponents(const VitModel& model, bool raw, int count) {
    const VitConfig& config = model.config();
    const LinearWeights& embed = model.weights().patchEmbed;
    if (!embed.present() || embed.in != config.patchVectorSize()) {
        return makeError(ErrorCode::BadModel, "the model has no patch-embedding filter matrix");
    }
    const Matrix filters = embed.matrix();  // (D, C*P*P)
    if (raw) {
        FilterComponents result;
        result.components = filters.topRows(std::clamp<Eigen::Index>(count, 0, filters.rows()));
        return result;
    }
    return principalComponents(filters, count);
}

}  // namespace vitscope::core
