#include "util/byte_buffer.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace vgw {
namespace {

constexpr size_t kMapAtLeast = 256 * 1024;

size_t page_size() {
  static const size_t size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

size_t round_to_pages(size_t n) {
  size_t page = page_size();
  return (n + page - 1) / page * page;
}

}  // namespace

ByteBuffer::~ByteBuffer() { free_storage(); }

ByteBuffer::ByteBuffer(ByteBuffer&& other) noexcept
    : data_(other.data_),
      size_(other.size_),
      capacity_(other.capacity_),
      mapped_(other.mapped_) {
  other.data_ = nullptr;
  other.size_ = other.capacity_ = 0;
  other.mapped_ = false;
}

ByteBuffer& ByteBuffer::operator=(ByteBuffer&& other) noexcept {
  if (this != &other) {
    free_storage();
    data_ = other.data_;
    size_ = other.size_;
    capacity_ = other.capacity_;
    mapped_ = other.mapped_;
    other.data_ = nullptr;
    other.size_ = other.capacity_ = 0;
    other.mapped_ = false;
  }
  return *this;
}

void ByteBuffer::free_storage() noexcept {
  if (data_ == nullptr) return;
  if (mapped_) {
    munmap(data_, capacity_);
  } else {
    std::free(data_);
  }
  data_ = nullptr;
  size_ = capacity_ = 0;
  mapped_ = false;
}

void ByteBuffer::grow_to(size_t capacity) {
  if (capacity <= capacity_) return;
  if (capacity < kMapAtLeast) {
    void* p = std::realloc(data_, capacity);
    if (p == nullptr) throw std::bad_alloc();
    data_ = static_cast<char*>(p);
    capacity_ = capacity;
    return;
  }
  capacity = round_to_pages(capacity);
  void* p;
  if (mapped_) {
    p = mremap(data_, capacity_, capacity, MREMAP_MAYMOVE);
  } else {
    p = mmap(nullptr, capacity, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED && size_ > 0) std::memcpy(p, data_, size_);
    if (p != MAP_FAILED) std::free(data_);
  }
  if (p == MAP_FAILED) throw std::bad_alloc();
  data_ = static_cast<char*>(p);
  capacity_ = capacity;
  mapped_ = true;
}

void ByteBuffer::reserve(size_t capacity) { grow_to(capacity); }

char* ByteBuffer::extend(size_t n) {
  if (size_ + n > capacity_) grow_to(std::max(size_ + n, capacity_ * 2));
  char* at = data_ + size_;
  size_ += n;
  return at;
}

void ByteBuffer::append(std::string_view bytes) {
  if (bytes.empty()) return;
  std::memcpy(extend(bytes.size()), bytes.data(), bytes.size());
}

void ByteBuffer::shrink_to(size_t size) {
  if (size < size_) size_ = size;
}

void ByteBuffer::release(size_t offset, size_t n) {
  if (!mapped_ || offset >= size_) return;
  n = std::min(n, size_ - offset);
  size_t page = page_size();
  auto start = reinterpret_cast<uintptr_t>(data_ + offset);
  auto end = start + n;
  uintptr_t first = (start + page - 1) / page * page;
  uintptr_t last = end / page * page;
  if (last > first) {
    madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
  }
}

}  // namespace vgw
