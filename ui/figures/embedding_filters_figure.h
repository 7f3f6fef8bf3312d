#pragma once
/// EmbeddingFiltersFigure: the ViT paper's Figure 7 (left). The first 28 principal components of
/// the patch-embedding filters (the (D, C*P*P) matrix, centred), each drawn as a P x P image
/// (RGB for 3 channels, grey otherwise) scaled to its own min..max because a component's sign and
/// scale are arbitrary; or, as an alternative, the raw filters scaled the same way.

#include <QImage>
#include <QString>
#include <vector>

#include "core/tensor.h"
#include "ui/figures/figure.h"

namespace vitscope::ui {

struct EmbeddingFiltersData {
    core::Matrix components;  ///< (K, C*P*P) in (c, ky, kx) order: PCA components or raw filters
    int channels = 0;         ///< C
    int patchSize = 0;        ///< P
    bool raw = false;         ///< true: raw filters, false: principal components
    /// Optional: fraction of variance each component explains (K values), shown under tiles.
    std::vector<float> explained;
    QString modelName;
};

class EmbeddingFiltersFigure : public Figure {
public:
    explicit EmbeddingFiltersFigure(EmbeddingFiltersData data);

    const EmbeddingFiltersData& data() const { return mData; }
    /// One tile per component, per-component min-max to 0..255 (RGB888 or Grayscale8).
    static QImage tileImage(const core::Matrix& components, int index, int channels, int patchSize);

    QSizeF preferredSize() const override;
    void paint(QPainter& painter, const QRectF& target) const override;
    QString caption() const override;
    QString name() const override { return QStringLiteral("embedding-filters"); }

private:
    int columns() const;
    int rows() const;
    EmbeddingFiltersData mData;
    std::vector<QImage> mTiles;
};

}  // namespace vitscope::ui
