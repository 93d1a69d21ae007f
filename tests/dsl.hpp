#pragma once

// CAF 0.17's dsl.hpp uses an undefined FAIL() in request<T>().
#define FAIL(msg) CAF_FAIL(msg)
#include <caf/test/dsl.hpp>
