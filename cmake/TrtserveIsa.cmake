# Per-file ISA flags. Everything builds for baseline x86-64; only translation units
# named *_avx2.cc are compiled with AVX2/FMA/F16C (and *_avx512.cc with AVX-512), so AVX2 code cannot leak into the
# generic path through inline headers. Dispatch happens once, at kernel-selection time.
set(TRTSERVE_AVX2_FLAGS -mavx2 -mfma -mf16c)
# *_avx512.cc: AVX-512 F/BW/DQ/VL (what Isa::kAvx512 requires) on top of the AVX2 set.
set(TRTSERVE_AVX512_FLAGS -mavx2 -mfma -mf16c -mavx512f -mavx512bw -mavx512dq -mavx512vl)

# trtserve_mark_isa_sources(<source>...): sets COMPILE_OPTIONS on every *_avx2.cc.
function(trtserve_mark_isa_sources)
  foreach(src IN LISTS ARGN)
    if(src MATCHES "_avx2\\.cc$")
      set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "${TRTSERVE_AVX2_FLAGS}")
    elseif(src MATCHES "_avx512\\.cc$")
      set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "${TRTSERVE_AVX512_FLAGS}")
    endif()
  endforeach()
endfunction()
