// views/compact.hpp — small owning containers that keep a deal row short:
// an 8-byte string (empty costs no allocation) and an 8-byte sorted id list.
// A million rows make every byte of the row count (see docs/performance.md).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace dealcore::views {

class CompactString {
 public:
  CompactString() = default;
  explicit CompactString(std::string_view s) {
    if (s.empty()) return;
    p_.reset(new char[sizeof(std::uint32_t) + s.size()]);
    auto n = static_cast<std::uint32_t>(s.size());
    std::memcpy(p_.get(), &n, sizeof n);
    std::memcpy(p_.get() + sizeof n, s.data(), s.size());
  }
  CompactString(const CompactString &o) : CompactString(o.view()) {}
  CompactString(CompactString &&) noexcept = default;
  CompactString &operator=(const CompactString &o) {
    if (this != &o) *this = CompactString(o.view());
    return *this;
  }
  CompactString &operator=(CompactString &&) noexcept = default;

  std::string_view view() const {
    if (!p_) return {};
    std::uint32_t n;
    std::memcpy(&n, p_.get(), sizeof n);
    return {p_.get() + sizeof n, n};
  }
  // Where the bytes live, for prefetching (nullptr when empty).
  const void *address() const { return p_.get(); }
  friend bool operator==(const CompactString &a, const CompactString &b) { return a.view() == b.view(); }
  friend bool operator<(const CompactString &a, const CompactString &b) { return a.view() < b.view(); }

 private:
  std::unique_ptr<char[]> p_;
};

// A sorted set of 32-bit ids in one allocation: [count, id0, id1, ...].
class IdList {
 public:
  IdList() = default;
  explicit IdList(std::vector<std::uint32_t> ids) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (ids.empty()) return;
    p_.reset(new std::uint32_t[ids.size() + 1]);
    p_[0] = static_cast<std::uint32_t>(ids.size());
    std::copy(ids.begin(), ids.end(), p_.get() + 1);
  }
  IdList(const IdList &o) : IdList(std::vector<std::uint32_t>(o.span().begin(), o.span().end())) {}
  IdList(IdList &&) noexcept = default;
  IdList &operator=(IdList &&) noexcept = default;
  IdList &operator=(const IdList &o) {
    if (this != &o) *this = IdList(o);
    return *this;
  }

  std::span<const std::uint32_t> span() const {
    if (!p_) return {};
    return {p_.get() + 1, p_[0]};
  }
  bool contains(std::uint32_t v) const {
    auto s = span();
    return std::binary_search(s.begin(), s.end(), v);
  }
  friend bool operator==(const IdList &a, const IdList &b) {
    auto x = a.span(), y = b.span();
    return std::equal(x.begin(), x.end(), y.begin(), y.end());
  }

 private:
  std::unique_ptr<std::uint32_t[]> p_;
};

}  // namespace dealcore::views
