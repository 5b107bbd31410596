#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <new>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vgw {

// Blocks of 16 to 128 bytes kept for reuse: at most kPerClass of each
// size, every one from and back to operator new, so a block may be given
// back long after it was taken, or by another cache. Trivially
// destructible: a thread_local one is still usable by a document destroyed
// after the thread's other thread_local objects (a static one, at exit).
class BlockCache {
 public:
  static constexpr size_t kGranule = 16;
  static constexpr size_t kClasses = 8;
  static constexpr size_t kPerClass = 1024;
  static constexpr size_t kLargest = kGranule * kClasses;

  void* take(size_t bytes) {
    if (bytes == 0 || bytes > kLargest) return ::operator new(bytes);
    Class& c = classes_[(bytes - 1) / kGranule];
    if (c.head == nullptr) {
      return ::operator new((bytes + kGranule - 1) / kGranule * kGranule);
    }
    Free* block = c.head;
    c.head = block->next;
    --c.count;
    return block;
  }

  void give(void* p, size_t bytes) noexcept {
    Class* c = bytes == 0 || bytes > kLargest
                   ? nullptr
                   : &classes_[(bytes - 1) / kGranule];
    if (c == nullptr || c->count == kPerClass) {
      ::operator delete(p);
      return;
    }
    Free* block = static_cast<Free*>(p);
    block->next = c->head;
    c->head = block;
    ++c->count;
  }

  size_t kept() const {
    size_t n = 0;
    for (const Class& c : classes_) n += c.count;
    return n;
  }

  // Gives every kept block back to operator delete.
  void release() noexcept {
    for (Class& c : classes_) {
      while (c.head != nullptr) {
        Free* next = c.head->next;
        ::operator delete(c.head);
        c.head = next;
      }
      c.count = 0;
    }
  }

 private:
  struct Free {
    Free* next;
  };
  struct Class {
    Free* head = nullptr;
    size_t count = 0;
  };
  Class classes_[kClasses];
};

// Where JSON documents get their nodes. A request builds and drops a few
// hundred map nodes, strings and small arrays; glibc's per-thread cache
// keeps seven blocks of a size, so most of them took malloc's slow paths (a
// fifth of the core's time). Under AddressSanitizer every node is its own
// allocation, so a use after free is still caught (BlockCache itself is
// unit-tested there).
class JsonBlocks {
 public:
#if defined(__SANITIZE_ADDRESS__)
  static constexpr bool kRecycles = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  static constexpr bool kRecycles = false;
#else
  static constexpr bool kRecycles = true;
#endif
#else
  static constexpr bool kRecycles = true;
#endif

  static void* take(size_t bytes) {
    return kRecycles ? cache().take(bytes) : ::operator new(bytes);
  }
  static void give(void* p, size_t bytes) noexcept {
    kRecycles ? cache().give(p, bytes) : ::operator delete(p);
  }

 private:
  static BlockCache& cache() {
    thread_local BlockCache cache;
    return cache;
  }
};

template <typename T>
struct JsonAllocator {
  using value_type = T;
  JsonAllocator() noexcept = default;
  template <typename U>
  JsonAllocator(const JsonAllocator<U>&) noexcept {}
  T* allocate(size_t n) {
    if (n > SIZE_MAX / sizeof(T)) throw std::bad_alloc();
    static_assert(alignof(T) <= BlockCache::kGranule);
    return static_cast<T*>(JsonBlocks::take(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) noexcept {
    JsonBlocks::give(p, n * sizeof(T));
  }
  template <typename U>
  bool operator==(const JsonAllocator<U>&) const noexcept {
    return true;
  }
  template <typename U>
  bool operator!=(const JsonAllocator<U>&) const noexcept {
    return false;
  }
};

// The core's JSON document: nlohmann's, with its nodes from JsonBlocks.
using Json =
    nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t,
                         std::uint64_t, double, JsonAllocator>;

}  // namespace vgw
