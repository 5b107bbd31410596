#pragma once

#include <memory>
#include <string>

#include "translate/operation.hpp"
#include "translate/retrieve_operation.hpp"

namespace vgw {

// What a request by id does with the video's catalogue record, read before
// anything else: a tombstone is a 404 for every use.
//   retrieve: fills the notes (prompt, remix source) the Video is rendered
//             with, and keeps the owner's list current when the status
//             the vendor reports has changed;
//   content:  nothing more;
//   remove:   DELETE /v1/videos/{id}. The inner retrieve says whether the
//             video has finished (only finished videos are deleted, as
//             OpenAI does); then the vendor deletes its task, where its
//             rules can (a vendor error ends the request there: nothing is
//             buried that the vendor still has), and the tombstone is
//             written and the list entry dropped. A store that cannot keep the
//             tombstone is a 503: the gateway cannot promise the deletion.
// An unreachable or empty store reads as no record: the id is served.
enum class CatalogUse { retrieve, content, remove };

struct CatalogTarget {
  std::string record_key;  // catalog_record_key(account, task)
  std::string binding;     // hashed into the owner only when a write needs it
  std::string video_id;
  // remove: the vendor's deletion (make_vendor_delete_operation()); null
  // when the vendor cannot delete.
  std::unique_ptr<Operation> vendor_delete;
};

std::unique_ptr<Operation> with_catalog_lookup(
    std::unique_ptr<Operation> inner, CatalogUse use, CatalogTarget target,
    std::shared_ptr<VideoNotes> notes);

}  // namespace vgw
