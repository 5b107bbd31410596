#pragma once

#include <cstddef>
#include <string_view>

namespace vgw {

// A growable byte buffer for request and vendor bodies of many megabytes.
// Large buffers are anonymous mappings of their own: growing one moves page
// tables instead of copying (mremap), untouched capacity costs nothing, and
// freeing one gives its memory straight back to the OS, without touching
// the process allocator's settings (which every other module in nginx
// shares). Small buffers come from the heap.
class ByteBuffer {
 public:
  ByteBuffer() = default;
  ~ByteBuffer();
  ByteBuffer(ByteBuffer&& other) noexcept;
  ByteBuffer& operator=(ByteBuffer&& other) noexcept;
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;

  // Throws std::bad_alloc when the memory cannot be had.
  void reserve(size_t capacity);
  void append(std::string_view bytes);
  // Appends `n` bytes for the caller to fill; returns where they start.
  char* extend(size_t n);
  void shrink_to(size_t size);  // forgets bytes past `size`

  // The bytes in [offset, offset + n) will not be read again: the whole
  // pages among them go back to the OS (they read as zeros afterwards).
  // Only for large buffers; a no-op otherwise.
  void release(size_t offset, size_t n);

  const char* data() const { return data_; }
  char* data() { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {data_, size_}; }

 private:
  void grow_to(size_t capacity);
  void free_storage() noexcept;

  char* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
  bool mapped_ = false;
};

}  // namespace vgw
