#include "translate/operation.hpp"

namespace vgw {

Step Step::respond(HttpResponse r) {
  Step s;
  s.kind = Kind::respond;
  s.response = std::move(r);
  return s;
}

Step Step::call_vendor(UpstreamCall c) {
  Step s;
  s.kind = Kind::call_vendor;
  s.call = std::move(c);
  return s;
}

Step Step::stream(MediaFetch m) {
  Step s;
  s.kind = Kind::stream_media;
  s.media = std::move(m);
  return s;
}

Step Step::resolve(std::string name) {
  Step s;
  s.kind = Kind::resolve;
  s.resolve_name = std::move(name);
  return s;
}

Step Step::query_store(StoreCommand command) {
  Step s;
  s.kind = Kind::store;
  s.store = std::move(command);
  return s;
}

Step Step::wait(int64_t ms) {
  Step s;
  s.kind = Kind::wait;
  s.wait_ms = ms;
  return s;
}

Step Operation::on_resolved(const ResolvedHost&, int64_t) {
  return finish(internal_error("Unexpected name resolution."));
}

Step Operation::on_store(const StoreReply&, int64_t) {
  return finish(internal_error("Unexpected store reply."));
}

Step Operation::on_timer(int64_t) {
  return finish(internal_error("Unexpected timer."));
}

OperationDecorator::OperationDecorator(std::unique_ptr<Operation> inner)
    : inner_(std::move(inner)) {}

Step OperationDecorator::answer(const ApiError& e) {
  facts_ = inner_->facts();
  answered_ = true;
  return finish(e);
}

Step OperationDecorator::answer(HttpResponse r, std::string outcome) {
  facts_ = inner_->facts();
  answered_ = true;
  facts_.outcome = std::move(outcome);
  return Step::respond(std::move(r));
}

Step Operation::finish(const ApiError& e) {
  facts_.outcome = e.code.value_or(e.type);
  return Step::fail(e);
}

Step Operation::finish(HttpResponse r) {
  facts_.outcome = "ok";
  return Step::respond(std::move(r));
}

}  // namespace vgw
