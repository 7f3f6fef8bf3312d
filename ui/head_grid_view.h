#pragma once
/// HeadGridView: the widget half of HeadGridFigure, shared by HeadsPanel (every head of one layer)
/// and LayersHeadsOverview (every layer x head). It keeps the result and the query, rebuilds the
/// small multiples lazily when either changes, paints the figure with the widget's palette,
/// outlines the selected tile and turns a click into a (layer, head). Subclasses say which tiles
/// there are and how tiles map to layers and heads. The tiles' maps are computed on the GUI thread
/// when they are few (one row or column each); past synchronousLimit() values (every layer x head
/// of a large model) they are a JobRunner job, and the grid fills in when it is done.

#include <QWidget>
#include <memory>
#include <utility>
#include <vector>

#include "core/model/inference_result.h"
#include "ui/figures/head_grid_figure.h"
#include "ui/layer_head_picker.h"

namespace vitscope::ui {

class JobRunner;

class HeadGridView : public QWidget {
    Q_OBJECT
public:
    void setResult(const QImage& shown, std::shared_ptr<const core::InferenceResult> result);
    void setQuery(const AttentionQuery& query);
    void setColormap(core::Colormap colormap);
    void setOpacity(double opacity);
    void clear();

    /// Tiles x tokens above which the maps are computed off the GUI thread (tests set 0).
    void setSynchronousLimit(qint64 values) { mSyncLimit = values; }
    qint64 synchronousLimit() const { return mSyncLimit; }
    /// Runs the maps of large grids (tests wait for it to be idle).
    JobRunner* mapJobs() const { return mMapJobs; }
    static constexpr qint64 kDefaultSynchronousLimit = qint64(1) << 18;

    /// The figure as currently laid out (recomputed if needed), for export and tests.
    const HeadGridFigure& figure() const;

    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

signals:
    /// A tile was clicked; subclasses forward it as their own signal.
    void tileClicked(int layer, int head);

protected:
    /// Every tile's map for `query` on `result`, in tile order. A plain function, as it may run
    /// on a worker thread.
    using TileMaps = std::vector<core::Matrix> (*)(const core::InferenceResult& result,
                                                   const AttentionQuery& query);
    /// `name` is the figure's export name; `maxTile` bounds a tile's side (0: none).
    HeadGridView(const QString& name, double maxTile, TileMaps tileMaps, QWidget* parent);

    /// Fills `figure` with `maps` (from TileMaps) laid out in `columns` columns, with labels and
    /// caption. Called only with a non-empty attention result.
    virtual void buildTiles(HeadGridFigure& figure, const core::InferenceResult& result,
                            std::vector<core::Matrix> maps, const AttentionQuery& query,
                            int columns) const = 0;
    /// Columns to lay the tiles out in at `width` pixels (>= 1).
    virtual int columnsFor(int width) const = 0;
    /// Number of real tiles (for the row count at another column count).
    virtual int tileCount() const = 0;
    /// True when `a` and `b` give the same tiles (only the highlight may differ). Default: same
    /// source token and direction.
    virtual bool sameTiles(const AttentionQuery& a, const AttentionQuery& b) const;
    /// Tile (row, col) showing (layer, head) when laid out in `columns` columns.
    virtual std::pair<int, int> tileOf(int layer, int head, int columns) const = 0;
    /// (layer, head) of tile (row, col), or (-1, -1) when the tile shows nothing.
    virtual std::pair<int, int> layerHeadAt(int row, int col, int columns) const = 0;

    /// Where (layer, head) is drawn, in widget coordinates.
    QRectF rectOf(int layer, int head) const;
    const std::shared_ptr<const core::InferenceResult>& result() const { return mResult; }
    const AttentionQuery& query() const { return mQuery; }

    void paintEvent(QPaintEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void rebuild() const;
    /// Recomputes the tiles' maps for the current result and query (at once or as a job).
    void requestMaps();

    TileMaps mTileMaps = nullptr;
    JobRunner* mMapJobs = nullptr;
    qint64 mSyncLimit = kDefaultSynchronousLimit;
    std::vector<core::Matrix> mMaps;  // of mResult and mQuery's tiles; empty until ready
    bool mMapsReady = false;
    std::shared_ptr<const core::InferenceResult> mResult;
    AttentionQuery mQuery;
    mutable HeadGridFigure mFigure;
    mutable bool mDirty = true;
    mutable int mBuiltColumns = 0;
};

}  // namespace vitscope::ui
