# TRTSERVE_SANITIZE=address   -> ASan + UBSan
# TRTSERVE_SANITIZE=thread    -> TSan
# TRTSERVE_SANITIZE=undefined -> UBSan only
if(TRTSERVE_SANITIZE STREQUAL "address")
  set(_trt_san "-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer")
elseif(TRTSERVE_SANITIZE STREQUAL "thread")
  set(_trt_san "-fsanitize=thread -fno-omit-frame-pointer")
elseif(TRTSERVE_SANITIZE STREQUAL "undefined")
  set(_trt_san "-fsanitize=undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer")
elseif(NOT TRTSERVE_SANITIZE STREQUAL "")
  message(FATAL_ERROR "TRTSERVE_SANITIZE must be address, thread, undefined or empty (got '${TRTSERVE_SANITIZE}')")
endif()
if(DEFINED _trt_san)
  string(APPEND CMAKE_C_FLAGS " ${_trt_san}")
  string(APPEND CMAKE_CXX_FLAGS " ${_trt_san}")
  string(APPEND CMAKE_EXE_LINKER_FLAGS " ${_trt_san}")
  string(APPEND CMAKE_SHARED_LINKER_FLAGS " ${_trt_san}")
endif()
