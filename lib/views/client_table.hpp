// views/client_table.hpp — the deals' clients, interned: each distinct
// (external ref, display name) pair once, in one byte arena, numbered from
// 1 (0 is "no client").
//
// A quarter of a million clients at 1M deals made the old layout (a vector
// of string pairs, a hash map keyed by ref + name, a hash multimap keyed by
// ref) cost ~360 bytes a client and three cache misses to read one. Here a
// client is its bytes in the arena plus 4 bytes of offset, and the two
// lookups are open-addressing tables of client numbers, probed by hashing
// the arena's bytes, with a byte of tag a slot so that a probe reads only
// the clients whose hash matches: ~80 bytes a client, one miss to read it.
// A ref that is a UUID (see uuid_pack) is kept as its 16 bytes, as a deal's
// external ref is: 20 bytes a client less. Clients are never removed (the
// views keep no reference counts), so the tables need no tombstones.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "views/compact.hpp"

namespace dealcore::views {

class ClientTable {
 public:
  ClientTable() { clear(); }

  // Client 0 only.
  void clear() {
    arena_.clear();
    off_.clear();
    append("", "");
    by_pair_.assign(16, 0);
    by_ref_.assign(16, 0);
    pair_tags_.assign(16, 0);
    ref_tags_.assign(16, 0);
  }

  std::uint32_t size() const { return static_cast<std::uint32_t>(off_.size()); }

  // The number of (ref, name); 0 for both empty. Adds it when new.
  std::uint32_t intern(std::string_view ref, std::string_view name) {
    if (ref.empty() && name.empty()) return 0;
    if (auto id = find(ref, name)) return id;
    return add(ref, name);
  }
  // The number of (ref, name), 0 when not interned.
  std::uint32_t find(std::string_view ref, std::string_view name) const {
    const std::size_t mask = by_pair_.size() - 1, h = pair_hash(ref, name);
    const std::uint8_t t = tag_of(h);
    const StoredRef probe(ref);
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const std::uint8_t at = pair_tags_[i];
      if (at == 0) return 0;
      if (at != t) continue;
      const std::uint32_t id = by_pair_[i];
      if (ref_is(id, probe) && this->name(id) == name) return id;
    }
  }
  // Appends a new client without looking for it first (a cache load, whose
  // numbers must stay as saved); false if it is already there.
  bool add_unique(std::string_view ref, std::string_view name) {
    if ((ref.empty() && name.empty()) || find(ref, name)) return false;
    add(ref, name);
    return true;
  }

  // The ref: a view into the arena, or a packed UUID's text written into buf.
  std::string_view ref(std::uint32_t id, char (&buf)[kUuidChars]) const {
    return stored_ref_text(at(id) + 8, len(id, 0), buf);
  }
  std::string_view name(std::uint32_t id) const { return {at(id) + 8 + ref_bytes(id), len(id, 1)}; }
  // Where a client's bytes start, for prefetching, and how many there are:
  // both read the offsets only (clients lie in the arena in number order),
  // so a page can ask for all of a client's lines at once.
  const void *address(std::uint32_t id) const { return at(id); }
  std::size_t bytes(std::uint32_t id) const {
    const std::size_t end = id + 1 < off_.size() ? off_[id + 1] : arena_.size();
    return end - off_[id];
  }

  // Calls fn(id) for every client with this external ref.
  template <class Fn>
  void for_each_with_ref(std::string_view ref, Fn &&fn) const {
    const std::size_t mask = by_ref_.size() - 1, h = std::hash<std::string_view>{}(ref);
    const std::uint8_t t = tag_of(h);
    const StoredRef probe(ref);
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const std::uint8_t at = ref_tags_[i];
      if (at == 0) return;
      if (at != t) continue;
      const std::uint32_t id = by_ref_[i];
      if (ref_is(id, probe)) fn(id);
    }
  }

  // Gives back the slack of a bulk build.
  void shrink() {
    arena_.shrink_to_fit();
    off_.shrink_to_fit();
  }

 private:
  bool ref_is(std::uint32_t id, const StoredRef &p) const {
    return len(id, 0) == p.word && std::string_view(at(id) + 8, p.bytes.size()) == p.bytes;
  }
  std::size_t ref_bytes(std::uint32_t id) const { return stored_bytes(len(id, 0)); }
  // A slot's tag: 8 bits of its client's hash other than those that chose
  // the slot, never 0 (an empty slot). A probe reads a client's bytes (two
  // cache misses: its offset, then the arena) only where the tag matches:
  // a search that ends at an empty slot passes ~8 full slots at 3/4 load,
  // which cost ~16 misses before the tags (the "every client of this ref"
  // walk of a client filter always ends so).
  static std::uint8_t tag_of(std::size_t h) {
    const auto t = static_cast<std::uint8_t>(h >> (8 * sizeof(std::size_t) - 8));
    return t == 0 ? 1 : t;
  }
  static std::size_t pair_hash(std::string_view ref, std::string_view name) {
    std::hash<std::string_view> h;
    return h(ref) * 0x9E3779B97F4A7C15ull ^ h(name);
  }
  const char *at(std::uint32_t id) const { return arena_.data() + off_[id]; }
  std::uint32_t len(std::uint32_t id, int which) const {
    std::uint32_t n;
    std::memcpy(&n, at(id) + 4 * which, 4);
    return n;
  }
  void append(std::string_view ref, std::string_view name) {
    if (ref.size() > kRefMaxLength || name.size() > UINT32_MAX || arena_.size() > UINT32_MAX - 8 - ref.size() - name.size())
      throw std::length_error("client table full");
    const StoredRef r(ref);
    off_.push_back(static_cast<std::uint32_t>(arena_.size()));
    const std::uint32_t n[2] = {r.word, static_cast<std::uint32_t>(name.size())};
    const char *p = reinterpret_cast<const char *>(n);
    arena_.insert(arena_.end(), p, p + 8);
    arena_.insert(arena_.end(), r.bytes.begin(), r.bytes.end());
    arena_.insert(arena_.end(), name.begin(), name.end());
  }
  std::uint32_t add(std::string_view ref, std::string_view name) {
    if (off_.size() >= UINT32_MAX) throw std::length_error("client table full");
    append(ref, name);
    auto id = static_cast<std::uint32_t>(off_.size() - 1);
    // Tables at most 3/4 full; both hold every client but 0.
    if ((off_.size() - 1) * 4 > by_pair_.size() * 3) {
      by_pair_.assign(by_pair_.size() * 2, 0);
      by_ref_.assign(by_ref_.size() * 2, 0);
      pair_tags_.assign(by_pair_.size(), 0);
      ref_tags_.assign(by_ref_.size(), 0);
      for (std::uint32_t i = 1; i < id; ++i) place(i);
    }
    place(id);
    return id;
  }
  void place(std::uint32_t id) {
    auto put = [](std::vector<std::uint32_t> &t, std::vector<std::uint8_t> &tags, std::size_t h, std::uint32_t v) {
      const std::size_t mask = t.size() - 1;
      std::size_t i = h & mask;
      while (tags[i] != 0) i = (i + 1) & mask;
      t[i] = v;
      tags[i] = tag_of(h);
    };
    char buf[kUuidChars];
    const std::string_view r = ref(id, buf);
    put(by_pair_, pair_tags_, pair_hash(r, name(id)), id);
    put(by_ref_, ref_tags_, std::hash<std::string_view>{}(r), id);
  }

  std::vector<char> arena_;           // per client: ref length word, name length (4 bytes each), ref, name
  std::vector<std::uint32_t> off_;    // client -> its offset in arena_
  std::vector<std::uint32_t> by_pair_, by_ref_;  // open addressing
  std::vector<std::uint8_t> pair_tags_, ref_tags_;  // each slot's tag (see tag_of); 0: empty slot
};

}  // namespace dealcore::views
