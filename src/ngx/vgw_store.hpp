#pragma once

#include "ngx_headers.hpp"

#include "store/store_command.hpp"

namespace vgw::ngx {

struct MainConf;

// The embedded store: one shared-memory zone ("vgw_store_2") that every
// worker reads and writes under the zone's mutex, kept across reloads
// (nginx hands a reloaded configuration the zone of the same name and
// size) and lost when nginx stops.
ngx_int_t add_store_zone(ngx_conf_t* cf, MainConf* mcf);

// Runs one command against the zone; never blocks beyond the zone's
// mutex (held for a tree lookup and a copy).
StoreReply run_store_command(MainConf* mcf, const StoreCommand& command);

// vgw_store_file: the zone is written to the file by the master when nginx
// stops (its exit_master) and when it reloads, and read back into a new
// zone when nginx starts. Only the master touches the file, never a worker.
void save_store_at_exit(ngx_cycle_t* cycle) noexcept;

}  // namespace vgw::ngx
