target_sources(vitscope_core PRIVATE)
