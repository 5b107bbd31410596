#include "vgw_store.hpp"

#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "store/store_snapshot.hpp"
#include "util/strings.hpp"
#include "vgw_module.hpp"

namespace vgw::ngx {
namespace {

// Lives in the zone: a hash table of entries (a lookup touches a bucket and
// its short chain, a few cache lines however full the zone is; a tree would
// walk a cold node per level) and the order entries were last written in
// (oldest at the tail), where expired and evictable ones are dropped when
// the zone is short of room.
struct StoreEntry;
struct StoreShared {
  ngx_queue_t by_age;
  ngx_uint_t bucket_mask;  // buckets: a power of two
  StoreEntry** buckets;
};

struct StoreEntry {
  StoreEntry* next;  // in its bucket
  ngx_queue_t age;
  ngx_msec_t expires;  // 0: never
  uint32_t hash;
  uint32_t capacity;  // bytes the slab gave it: a value that fits is
                      // rewritten in place
  uint32_t key_len;
  uint32_t value_len;
  uint32_t evictable;  // StoreCommand::evictable
  u_char data[1];      // key, then value
};

// A write into a full zone looks at no more than this many of the oldest
// entries for ones it may drop: bounded work under the zone's lock, however
// many entries the zone holds.
constexpr int kEvictionScan = 256;

// One bucket per this many bytes of zone: a chain of about one entry at the
// sizes the gateway writes (catalogue entries, counters, replies).
constexpr size_t kBytesPerBucket = 256;

struct StoreZone {
  StoreShared* sh = nullptr;
  ngx_slab_pool_t* pool = nullptr;
  ngx_str_t file;  // vgw_store_file; empty: none
  ngx_log_t* log = nullptr;
};

uint32_t hash_of(std::string_view key) {
  return ngx_murmur_hash2(
      reinterpret_cast<u_char*>(const_cast<char*>(key.data())), key.size());
}

// What ngx_slab_alloc hands out for a request of `size` bytes: chunks are
// powers of two up to half a page, then whole pages.
size_t slab_capacity(size_t size) {
  if (size > ngx_pagesize / 2) {
    return (size + ngx_pagesize - 1) & ~(ngx_pagesize - 1);
  }
  size_t chunk = 8;
  while (chunk < size) chunk <<= 1;
  return chunk;
}

class Locked {
 public:
  explicit Locked(StoreZone& zone) : zone_(zone) {
    ngx_shmtx_lock(&zone_.pool->mutex);
  }
  ~Locked() { ngx_shmtx_unlock(&zone_.pool->mutex); }
  Locked(const Locked&) = delete;
  Locked& operator=(const Locked&) = delete;

  StoreEntry* find(uint32_t hash, std::string_view key, ngx_msec_t now) {
    for (StoreEntry* e = bucket(hash); e != nullptr; e = e->next) {
      if (e->hash != hash || e->key_len != key.size() ||
          std::memcmp(e->data, key.data(), key.size()) != 0) {
        continue;
      }
      if (expired(e, now)) {
        remove(e);
        return nullptr;
      }
      return e;
    }
    return nullptr;
  }

  void remove(StoreEntry* e) {
    StoreEntry** link = &bucket(e->hash);
    while (*link != e) link = &(*link)->next;
    *link = e->next;
    ngx_queue_remove(&e->age);
    ngx_slab_free_locked(zone_.pool, e);
  }

  // Rewrites an entry's value where it fits in the entry's room (a counter,
  // a status that changed), as the newest entry; false: it does not fit.
  bool rewrite(StoreEntry* e, std::string_view value, ngx_msec_t expires,
               bool evictable) {
    if (offsetof(StoreEntry, data) + e->key_len + value.size() > e->capacity) {
      return false;
    }
    e->expires = expires;
    e->evictable = evictable ? 1 : 0;
    e->value_len = static_cast<uint32_t>(value.size());
    ngx_memcpy(e->data + e->key_len, value.data(), value.size());
    ngx_queue_remove(&e->age);
    ngx_queue_insert_head(&zone_.sh->by_age, &e->age);
    return true;
  }

  // Every entry not yet expired, with its expiry as wall-clock time.
  void each_live(ngx_msec_t now, int64_t wall_ms, SnapshotWriter& out) {
    for (ngx_queue_t* q = ngx_queue_head(&zone_.sh->by_age);
         q != ngx_queue_sentinel(&zone_.sh->by_age); q = ngx_queue_next(q)) {
      StoreEntry* e = ngx_queue_data(q, StoreEntry, age);
      if (expired(e, now)) continue;
      int64_t at =
          e->expires == 0
              ? 0
              : wall_ms + static_cast<ngx_msec_int_t>(e->expires - now);
      out.add(
          std::string_view(reinterpret_cast<const char*>(e->data), e->key_len),
          std::string_view(reinterpret_cast<const char*>(e->data) + e->key_len,
                           e->value_len),
          at, e->evictable != 0);
    }
  }

  // A new entry; false when the zone has no room for it.
  bool put(uint32_t hash, std::string_view key, std::string_view value,
           ngx_msec_t expires, ngx_msec_t now, bool evictable = false) {
    size_t capacity =
        slab_capacity(offsetof(StoreEntry, data) + key.size() + value.size());
    StoreEntry* e = allocate(capacity, now);
    if (e == nullptr) return false;
    e->hash = hash;
    e->capacity = static_cast<uint32_t>(capacity);
    e->expires = expires;
    e->evictable = evictable ? 1 : 0;
    e->key_len = static_cast<uint32_t>(key.size());
    e->value_len = static_cast<uint32_t>(value.size());
    ngx_memcpy(e->data, key.data(), key.size());
    ngx_memcpy(e->data + key.size(), value.data(), value.size());
    StoreEntry*& head = bucket(hash);
    e->next = head;
    head = e;
    ngx_queue_insert_head(&zone_.sh->by_age, &e->age);
    return true;
  }

 private:
  StoreEntry*& bucket(uint32_t hash) {
    return zone_.sh->buckets[hash & zone_.sh->bucket_mask];
  }

  // Room for an entry: when the zone is full, the oldest expired or
  // evictable entries are dropped until it fits; nullptr when the oldest
  // kEvictionScan entries hold nothing to drop (they are all promises).
  StoreEntry* allocate(size_t size, ngx_msec_t now) {
    if (auto* e =
            static_cast<StoreEntry*>(ngx_slab_alloc_locked(zone_.pool, size))) {
      return e;
    }
    ngx_queue_t* q = ngx_queue_last(&zone_.sh->by_age);
    for (int seen = 0;
         q != ngx_queue_sentinel(&zone_.sh->by_age) && seen < kEvictionScan;
         ++seen) {
      ngx_queue_t* prev = ngx_queue_prev(q);
      StoreEntry* e = ngx_queue_data(q, StoreEntry, age);
      if (e->evictable || expired(e, now)) {
        remove(e);
        if (auto* room = static_cast<StoreEntry*>(
                ngx_slab_alloc_locked(zone_.pool, size))) {
          return room;
        }
      }
      q = prev;
    }
    return nullptr;
  }

  static bool expired(const StoreEntry* e, ngx_msec_t now) {
    return e->expires != 0 &&
           static_cast<ngx_msec_int_t>(e->expires - now) <= 0;
  }
  StoreZone& zone_;
};

std::string file_name(const StoreZone& zone) {
  return std::string(reinterpret_cast<const char*>(zone.file.data),
                     zone.file.len);
}

int64_t wall_ms() { return static_cast<int64_t>(ngx_time()) * 1000; }

// In the master, while nginx starts: the zone is new and no worker runs.
void load_snapshot(StoreZone& zone) {
  if (zone.file.len == 0) return;
  std::string path = file_name(zone);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno != ENOENT) {
      ngx_log_error(NGX_LOG_WARN, zone.log, ngx_errno,
                    "vgw: cannot read the store file \"%V\"; the store "
                    "starts empty",
                    &zone.file);
    }
    return;
  }
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto entries = read_snapshot(bytes.str());
  if (!entries) {
    ngx_log_error(NGX_LOG_WARN, zone.log, 0,
                  "vgw: the store file \"%V\" is damaged or not one; the "
                  "store starts empty",
                  &zone.file);
    return;
  }
  ngx_msec_t now = ngx_current_msec;
  int64_t wall = wall_ms();
  size_t loaded = 0;
  Locked store(zone);
  for (const auto& e : *entries) {
    ngx_msec_t expires = 0;
    if (e.expires_at_ms != 0) {
      if (e.expires_at_ms <= wall) continue;
      expires = now + static_cast<ngx_msec_t>(e.expires_at_ms - wall);
      if (expires == 0) expires = 1;
    }
    uint32_t hash = hash_of(e.key);
    if (store.find(hash, e.key, now)) continue;
    if (!store.put(hash, e.key, e.value, expires, now, e.evictable)) {
      break;  // full
    }
    ++loaded;
  }
  ngx_log_error(NGX_LOG_NOTICE, zone.log, 0,
                "vgw: %uz store entries read from \"%V\"", loaded, &zone.file);
}

// In the master (at a reload, or when nginx stops): a new file renamed over
// the old one, so a crash while writing leaves the previous snapshot.
void save_snapshot(StoreZone& zone) {
  if (zone.file.len == 0 || zone.sh == nullptr) return;
  SnapshotWriter writer;
  {
    Locked store(zone);
    store.each_live(ngx_current_msec, wall_ms(), writer);
  }
  std::string bytes = writer.finish();
  std::string path = file_name(zone);
  std::string temp = path + ".new";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0;
  for (size_t at = 0; ok && at < bytes.size();) {
    ssize_t n = ::write(fd, bytes.data() + at, bytes.size() - at);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) at += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  if (fd >= 0 && ::close(fd) != 0) ok = false;
  ok = ok && ::rename(temp.c_str(), path.c_str()) == 0;
  if (!ok) {
    ngx_log_error(NGX_LOG_ALERT, zone.log, ngx_errno,
                  "vgw: cannot write the store file \"%V\"", &zone.file);
    ::unlink(temp.c_str());
  }
}

// A snapshot that cannot be read or written costs what it would have kept,
// never the start or the reload.
void guarded_snapshot(StoreZone& zone, void (*run)(StoreZone&)) noexcept {
  try {
    run(zone);
  } catch (const std::exception& e) {
    ngx_log_error(NGX_LOG_ALERT, zone.log, 0, "vgw: the store file \"%V\": %s",
                  &zone.file, e.what());
  }
}

ngx_int_t init_zone(ngx_shm_zone_t* shm_zone, void* data) {
  auto* zone = static_cast<StoreZone*>(shm_zone->data);
  if (auto* old = static_cast<StoreZone*>(data)) {  // a reload
    zone->sh = old->sh;
    zone->pool = old->pool;
    guarded_snapshot(*zone, save_snapshot);
    return NGX_OK;
  }
  zone->pool = reinterpret_cast<ngx_slab_pool_t*>(shm_zone->shm.addr);
  if (shm_zone->shm.exists) {
    zone->sh = static_cast<StoreShared*>(zone->pool->data);
    return NGX_OK;
  }
  zone->sh = static_cast<StoreShared*>(
      ngx_slab_alloc(zone->pool, sizeof(StoreShared)));
  if (zone->sh == nullptr) return NGX_ERROR;
  zone->pool->data = zone->sh;
  ngx_queue_init(&zone->sh->by_age);
  size_t buckets = 1;
  while (buckets * kBytesPerBucket < shm_zone->shm.size) buckets <<= 1;
  zone->sh->buckets = static_cast<StoreEntry**>(
      ngx_slab_calloc(zone->pool, buckets * sizeof(StoreEntry*)));
  if (zone->sh->buckets == nullptr) return NGX_ERROR;
  zone->sh->bucket_mask = buckets - 1;
  static const char kLogCtx[] = " in vgw store zone";
  zone->pool->log_ctx =
      static_cast<u_char*>(ngx_slab_alloc(zone->pool, sizeof(kLogCtx)));
  if (zone->pool->log_ctx == nullptr) return NGX_ERROR;
  ngx_memcpy(zone->pool->log_ctx, kLogCtx, sizeof(kLogCtx));
  zone->pool->log_nomem = 0;  // a full zone is answered, not logged each time
  guarded_snapshot(*zone, load_snapshot);
  return NGX_OK;
}

ngx_msec_t ttl_expiry(int64_t ttl_seconds, ngx_msec_t now) {
  if (ttl_seconds <= 0) return 0;
  ngx_msec_t at = now + static_cast<ngx_msec_t>(ttl_seconds) * 1000;
  return at == 0 ? 1 : at;  // 0 means "never"
}

}  // namespace

ngx_int_t add_store_zone(ngx_conf_t* cf, MainConf* mcf) {
  // The name carries the entries' layout: a reload into a module with
  // another layout starts a new zone instead of misreading the old one.
  static ngx_str_t name = ngx_string("vgw_store_3");
  auto* zone =
      static_cast<StoreZone*>(ngx_pcalloc(cf->pool, sizeof(StoreZone)));
  if (zone == nullptr) return NGX_ERROR;
  size_t size = mcf->store_size == NGX_CONF_UNSET_SIZE ? 16 * 1024 * 1024
                                                       : mcf->store_size;
  ngx_shm_zone_t* shm =
      ngx_shared_memory_add(cf, &name, size, &ngx_http_vgw_module);
  if (shm == nullptr) return NGX_ERROR;
  shm->init = init_zone;
  shm->data = zone;
  zone->file = mcf->store_file;
  zone->log = &cf->cycle->new_log;
  mcf->store = shm;
  return NGX_OK;
}

StoreReply run_store_command(MainConf* mcf, const StoreCommand& command) {
  StoreReply reply;
  if (mcf->store == nullptr) return reply;
  auto& zone = *static_cast<StoreZone*>(mcf->store->data);
  if (zone.sh == nullptr) return reply;
  ngx_msec_t now = ngx_current_msec;
  uint32_t hash = hash_of(command.key);
  Locked store(zone);
  StoreEntry* found = store.find(hash, command.key, now);
  switch (command.op) {
    case StoreCommand::Op::get:
      reply.ok = true;
      if (found) {
        reply.value.emplace(
            reinterpret_cast<const char*>(found->data) + found->key_len,
            found->value_len);
      }
      return reply;
    case StoreCommand::Op::del:
      reply.ok = true;
      reply.done = found != nullptr;
      if (found) store.remove(found);
      return reply;
    case StoreCommand::Op::incr: {
      auto delta = parse_int(command.value);
      if (!delta) return reply;
      int64_t sum = *delta;
      ngx_msec_t expires = ttl_expiry(command.ttl_seconds, now);
      if (found) {
        auto old = parse_int(std::string_view(
            reinterpret_cast<const char*>(found->data) + found->key_len,
            found->value_len));
        if (!old) {
          reply.ok = true;  // not a number: nothing changes
          return reply;
        }
        sum += *old;
      }
      std::string text = std::to_string(sum);
      if (found && !store.rewrite(found, text, found->expires, false)) {
        expires = found->expires;
        store.remove(found);
        found = nullptr;
      }
      if (!found && !store.put(hash, command.key, text, expires, now)) {
        return reply;
      }
      reply.ok = reply.done = true;
      reply.value = std::move(text);
      return reply;
    }
    case StoreCommand::Op::set: {
      if (found && command.only_if_absent) {
        reply.ok = true;
        return reply;
      }
      ngx_msec_t expires = ttl_expiry(command.ttl_seconds, now);
      if (found &&
          !store.rewrite(found, command.value, expires, command.evictable)) {
        store.remove(found);
        found = nullptr;
      }
      if (!found && !store.put(hash, command.key, command.value, expires, now,
                               command.evictable)) {
        return reply;  // full: ok stays false
      }
      reply.ok = reply.done = true;
      return reply;
    }
  }
  return reply;
}

void save_store_at_exit(ngx_cycle_t* cycle) noexcept {
  auto* mcf = static_cast<MainConf*>(
      ngx_http_cycle_get_module_main_conf(cycle, ngx_http_vgw_module));
  if (mcf == nullptr || mcf->store == nullptr) return;
  guarded_snapshot(*static_cast<StoreZone*>(mcf->store->data), save_snapshot);
}

}  // namespace vgw::ngx
