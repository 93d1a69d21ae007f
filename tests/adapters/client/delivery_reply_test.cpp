#define CAF_SUITE delivery_reply
#include <caf/test/unit_test.hpp>

#include "adapters/client/private_chat_grpc.hpp"

#include <vector>

using namespace chat;

namespace {

struct recorder {
  std::shared_ptr<std::vector<int32_t>> codes = std::make_shared<std::vector<int32_t>>();
  delivery_reply make() const {
    return delivery_reply{
        [codes = codes](delivery_status s) { codes->push_back(s.code); }};
  }
};

} // namespace

CAF_TEST(a call is answered once whatever the copies do) {
  recorder r;
  {
    auto reply = r.make();
    auto copy = reply;
    reply({});
    copy({static_cast<int32_t>(delivery_code::invalid_argument), "late"});
  }
  CAF_CHECK_EQUAL(*r.codes, (std::vector<int32_t>{0}));
}

CAF_TEST(a reply dropped unanswered answers unavailable) {
  recorder r;
  {
    auto reply = r.make();
    auto copy = reply; // e.g. held by a response handler of an actor that ends
  }
  CAF_CHECK_EQUAL(
      *r.codes, (std::vector<int32_t>{static_cast<int32_t>(delivery_code::unavailable)}));
}
