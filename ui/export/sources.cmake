# Figure export, the inductive-bias figures and their panel (issue 5). Included by
# ui/CMakeLists.txt; appends to vitscope_ui.
set(_vitscope_ui_dir ${PROJECT_SOURCE_DIR}/ui)
target_sources(vitscope_ui PRIVATE
    ${_vitscope_ui_dir}/export/figure_export.cpp ${_vitscope_ui_dir}/export/figure_export.h
    ${_vitscope_ui_dir}/export/figure_factory.h ${_vitscope_ui_dir}/export/figure_context.h
    ${_vitscope_ui_dir}/export/figure_table.cpp ${_vitscope_ui_dir}/export/figure_table.h
    ${_vitscope_ui_dir}/export/figure_builders.cpp ${_vitscope_ui_dir}/export/figure_builders.h
    ${_vitscope_ui_dir}/export/batch_export.cpp ${_vitscope_ui_dir}/export/batch_export.h
    ${_vitscope_ui_dir}/export/export_menu.cpp ${_vitscope_ui_dir}/export/export_menu.h
    ${_vitscope_ui_dir}/figure_widget.cpp ${_vitscope_ui_dir}/figure_widget.h
    ${_vitscope_ui_dir}/inductive_bias_panel.cpp ${_vitscope_ui_dir}/inductive_bias_panel.h
    ${_vitscope_ui_dir}/figures/figure_parts.cpp ${_vitscope_ui_dir}/figures/figure_parts.h
    ${_vitscope_ui_dir}/figures/posembed_similarity_figure.cpp
    ${_vitscope_ui_dir}/figures/posembed_similarity_figure.h
    ${_vitscope_ui_dir}/figures/attention_distance_figure.cpp
    ${_vitscope_ui_dir}/figures/attention_distance_figure.h
    ${_vitscope_ui_dir}/figures/embedding_filters_figure.cpp
    ${_vitscope_ui_dir}/figures/embedding_filters_figure.h
    ${_vitscope_ui_dir}/figures/experiments_figure.cpp
    ${_vitscope_ui_dir}/figures/experiments_figure.h)
