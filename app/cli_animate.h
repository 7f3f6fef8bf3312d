#pragma once
/// `vitscope-cli export --animate layers|heads`: the attention (or rollout) figure of every
/// layer, or of every head of one layer, as an animated GIF (--out F.gif) or as numbered PNG
/// frames (--out DIR/ or --out NAME.png gives NAME-01.png, NAME-02.png, ...), through
/// ui/export/animation_export.h. Only built with the figure export (VITSCOPE_BUILD_GUI).

#include <QString>
#include <optional>
#include <string>

#include "app/cli_args.h"
#include "ui/export/figure_context.h"

namespace vitscope::app {

/// What --animate refuses before anything is loaded (exit 1): a value other than layers or
/// heads, a figure with no layers, heads of a rollout, --layer with layers or --head with heads,
/// an output that is neither .gif nor PNG frames, --compare-model, a bad --frame-ms.
std::optional<std::string> animateUsage(const CliArgs& args, const QString& figure,
                                        const std::string& out);
/// Writes the animation; returns the exit code.
int exportAnimation(const CliArgs& args, const QString& figure, const ui::FigureContext& context,
                    const ui::FigureOptions& options, double scale);

}  // namespace vitscope::app
