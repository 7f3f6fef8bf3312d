#include "core/analysis/posembed_similarity.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <map>

#include "core/model/vit_model.h"

namespace vitscope::core {

Matrix cosineSimilarity(const Matrix& patchPos) {
    using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Index n = patchPos.rows();
    MatrixD unit = patchPos.cast<double>();  // (numPatches, D)
    for (Eigen::Index i = 0; i < n; ++i) {
        const double norm = unit.row(i).norm();
        // A zero row stays zero, so its dot products (similarities) are 0.
        if (norm > 0.0) {
            unit.row(i) /= norm;
        }
    }
    MatrixD sim = unit * unit.transpose();  // (numPatches, numPatches)
    // Exact symmetry, rounding kept inside [-1, 1], and a unit diagonal even for zero rows.
    sim = (0.5 * (sim + sim.transpose())).cwiseMax(-1.0).cwiseMin(1.0);
    sim.diagonal().setOnes();
    return sim.cast<float>();
}

Matrix positionEmbeddingSimilarity(const VitModel& model, int gridH, int gridW, PosInterp interp) {
    if (model.config().posLayout == PosLayout::None) {
        return {};
    }
    const Matrix table = patchPositionEmbeddings(model, gridH, gridW, interp);  // (M, D)
    if (table.rows() == 0) {
        return {};
    }
    return cosineSimilarity(table);
}

SimilarityProfile similarityByDistance(const Matrix& similarity, int gridH, int gridW,
                                       GridMetric metric) {
    const int m = gridH * gridW;
    assert(similarity.rows() == m && similarity.cols() == m);
    // Key: dr^2 + dc^2 (Euclidean) or max(|dr|, |dc|) (Chebyshev), both exact integers.
    std::map<int, std::pair<double, int>> groups;
    for (int i = 0; i < m; ++i) {
        for (int j = 0; j < m; ++j) {
            const int dr = std::abs(i / gridW - j / gridW);
            const int dc = std::abs(i % gridW - j % gridW);
            const int key = metric == GridMetric::Euclidean ? dr * dr + dc * dc : std::max(dr, dc);
            auto& [sum, count] = groups[key];
            sum += similarity(i, j);
            ++count;
        }
    }
    SimilarityProfile profile;
    for (const auto& [key, group] : groups) {
        profile.distance.push_back(metric == GridMetric::Euclidean ? std::sqrt(double(key))
                                                                   : double(key));
        profile.meanSimilarity.push_back(group.first / group.second);
        profile.pairCount.push_back(group.second);
    }
    return profile;
}

PositionLocality positionLocality(const Matrix& similarity, int gridH, int gridW) {
    const int m = gridH * gridW;
    assert(similarity.rows() == m && similarity.cols() == m);
    PositionLocality out;
    out.patches = m;
    // Pearson over i < j, accumulated in double around the means.
    double n = 0, sumS = 0, sumD = 0;
    auto gridDistance = [gridW](int i, int j) {
        return std::hypot(double(i / gridW - j / gridW), double(i % gridW - j % gridW));
    };
    for (int i = 0; i < m; ++i) {
        for (int j = i + 1; j < m; ++j) {
            sumS += similarity(i, j);
            sumD += gridDistance(i, j);
            n += 1;
        }
    }
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < m; ++i) {
        for (int j = i + 1; j < m; ++j) {
            const double ds = similarity(i, j) - sumS / n;
            const double dd = gridDistance(i, j) - sumD / n;
            sxy += ds * dd;
            sxx += ds * ds;
            syy += dd * dd;
        }
    }
    out.pearson = (sxx > 0 && syy > 0) ? sxy / std::sqrt(sxx * syy) : std::nan("");
    for (int i = 0; i < m && m > 1; ++i) {
        int best = -1;
        for (int j = 0; j < m; ++j) {
            if (j != i && (best < 0 || similarity(i, j) > similarity(i, best))) {
                best = j;
            }
        }
        out.nearestIsNeighbour += gridDistance(i, best) <= std::sqrt(2.0) + 1e-9 ? 1 : 0;
        const int c = i % gridW;
        if (2 * c != gridW - 1) {
            ++out.offCentre;
            out.nearestIsMirror += best == (i / gridW) * gridW + (gridW - 1 - c) ? 1 : 0;
        }
    }
    return out;
}

}  // namespace vitscope::core
