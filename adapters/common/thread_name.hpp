#pragma once

// Names the calling thread (at most 15 characters), so that `top -H`,
// `perf` and a debugger tell the adapters' threads apart: unnamed, each
// would carry the name of the thread that started it (a CAF worker's).

#include <pthread.h>

namespace chat {

inline void name_this_thread(const char* name) {
  pthread_setname_np(pthread_self(), name);
}

} // namespace chat
