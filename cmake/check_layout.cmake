# Fails when a file of one side includes the other side's code:
# client/ and server/ may include common/ and config/, common/ neither side.
# Run by the build (target layout_check) before anything compiles.
file(GLOB_RECURSE sources RELATIVE "${ROOT}"
  "${ROOT}/actors/*" "${ROOT}/adapters/*" "${ROOT}/cli/*" "${ROOT}/config/*")
set(violations "")
foreach(file ${sources})
  if(NOT file MATCHES "\\.(hpp|cpp)$")
    continue()
  endif()
  if(file MATCHES "/client/")
    set(forbidden "server")
  elseif(file MATCHES "/server/")
    set(forbidden "client")
  elseif(file MATCHES "^(actors|adapters)/common/|^config/")
    set(forbidden "client|server")
  else()
    continue() # cli/main.cpp and its helpers bring both sides together
  endif()
  file(STRINGS "${ROOT}/${file}" includes REGEX "^#include \"")
  foreach(line ${includes})
    if(line MATCHES "^#include \"(actors|adapters|cli)/(${forbidden})/")
      string(APPEND violations "  ${file}: ${line}\n")
    endif()
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "includes across sides (client, server, common):\n${violations}")
endif()
