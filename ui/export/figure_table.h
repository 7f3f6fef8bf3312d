#pragma once
/// The one name -> figure table. Each entry names a figure, says whether it needs an image run
/// through the model, and points at its builder (ui/export/figure_builders.h) and, for the
/// figures with numbers behind them, at the function that returns those numbers. figureNames(),
/// numberFigureNames(), makeFigure() and exportNumbers() (figure_factory.h) are lookups in it.

#include <QString>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/tensor.h"
#include "ui/export/figure_context.h"
#include "ui/figures/figure.h"

namespace vitscope::ui {

/// The numbers behind a figure, as written to .npy and .csv.
struct FigureNumbers {
    core::Matrix values;              ///< (rows, cols) row-major: the CSV's lines and columns
    std::vector<int64_t> shape;       ///< the .npy shape; its product is values.size()
    std::vector<std::string> header;  ///< CSV column names, values.cols() of them
};

using FigureBuilder = core::Result<std::unique_ptr<Figure>> (*)(const FigureContext&,
                                                                const FigureOptions&);
using NumbersBuilder = core::Result<FigureNumbers> (*)(const FigureContext&, const FigureOptions&);

struct FigureEntry {
    const char* name;  ///< as in menus, file names and `vitscope-cli export --figure`
    /// Needs `context.run` (an image through the model), unless the options carry precomputed
    /// data (FigureOptions::distances, FigureOptions::outcomes). Without it the builder fails
    /// with BadImage.
    bool needsRun;
    FigureBuilder build;
    NumbersBuilder numbers;  ///< null: the figure has no numbers to export
    /// False for the figures drawn from a file of their own (the lab results), which build
    /// without a model.
    bool needsModel = true;
};

/// Every figure, in menu order.
std::span<const FigureEntry> figureTable();
/// The entry called `name`, or null.
const FigureEntry* findFigure(const QString& name);

/// Writes `numbers` to `path`: .npy (float32, `shape`) or .csv (`values` with `header`), by the
/// suffix. Usage error for another suffix, Io error from core/io when writing fails.
core::Status writeFigureNumbers(const FigureNumbers& numbers, const QString& path);

}  // namespace vitscope::ui
