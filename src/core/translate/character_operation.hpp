#pragma once

#include <memory>
#include <string>

#include "api/character_request.hpp"
#include "ids/video_id.hpp"
#include "translate/operation.hpp"
#include "translate/vendor.hpp"
#include "util/byte_buffer.hpp"

namespace vgw {

struct CharacterContext {
  const VideoIdSealer& sealer;
  std::string binding;  // caller identity the id is bound to
  // The buffer holding the upload, whose pages go back to the OS as the
  // video is encoded for the vendor (nullptr: never).
  ByteBuffer* client_body = nullptr;
};

// POST /v1/videos/characters at a vendor whose rules have `character:`:
// one call that makes the subject from the upload, then a sealed character
// id ({id, created_at, name}). Like a create, a reply that may stand for a
// subject the client never hears of is a 502 the SDKs do not retry.
std::unique_ptr<Operation> make_character_operation(Vendor& vendor,
                                                    const ModelRule& model,
                                                    CharacterRequest request,
                                                    CharacterContext context);

// The answer to GET /v1/videos/characters/{id}: what the id sealed.
HttpResponse character_response(const std::string& id,
                                const VideoRecord& record);

// What a character's record carries besides the vendor's id.
inline constexpr const char* kCharacterName = "name";

}  // namespace vgw
