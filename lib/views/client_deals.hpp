// views/client_deals.hpp — each interned client's deals (no I/O).
//
// A client has a handful of deals as a rule (the bench: a quarter million
// clients, four deals each, at ids spread over the whole range). A roaring
// bitmap a client cost ~380 bytes: the bitmap, a container and its array
// for each 65,536-id chunk its deals fall in, a hash node. A SmallIdSet by
// client number costs 16 bytes, and 32 more past three deals. A client with
// more than big_at deals (a host's "retail customer" on every walk-in sale)
// moves to a bitmap, so that its list filter and the updates of its deals
// stay what a posting list costs.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "views/bitmap.hpp"
#include "views/compact.hpp"

namespace dealcore::views {

class ClientDeals {
 public:
  // The size past which a client's deals become a bitmap (tests lower it).
  static inline std::size_t big_at = 2048;

  void add(std::uint32_t client, std::uint32_t id) {
    if (client == 0) return;  // no client
    if (auto it = big_.find(client); it != big_.end()) {
      it->second.add(id);
      return;
    }
    if (client >= small_.size()) small_.resize(std::max<std::size_t>(client + 1, small_.size() * 3 / 2));
    SmallIdSet &s = small_[client];
    s.insert(id);
    if (s.view().size() > big_at) {
      Bitmap b;
      b.add_many(s.view().data(), s.view().size());
      big_.emplace(client, std::move(b));
      s = SmallIdSet();
    }
  }
  void remove(std::uint32_t client, std::uint32_t id) {
    if (client == 0) return;
    if (auto it = big_.find(client); it != big_.end()) {
      it->second.remove(id);
      if (it->second.empty()) big_.erase(it);
      return;
    }
    if (client < small_.size()) small_[client].erase(id);
  }
  // A bulk build's deals of one client, sorted (the client may have deals
  // already).
  void add_sorted(std::uint32_t client, const std::vector<std::uint32_t> &sorted) {
    if (client == 0 || sorted.empty()) return;
    const bool empty = !big(client) && small(client).empty();
    if (empty && sorted.size() > big_at) {
      big_[client].add_many(sorted.data(), sorted.size());
    } else if (empty) {
      if (client >= small_.size()) small_.resize(client + std::size_t{1});
      small_[client] = SmallIdSet(sorted);
    } else {
      for (auto id : sorted) add(client, id);
    }
  }

  // A client's deals: a bitmap for a big client, else the sorted ids.
  const Bitmap *big(std::uint32_t client) const {
    auto it = big_.find(client);
    return it == big_.end() ? nullptr : &it->second;
  }
  std::span<const std::uint32_t> small(std::uint32_t client) const {
    return client < small_.size() ? small_[client].view() : std::span<const std::uint32_t>{};
  }
  // Every client's deals, sorted, whichever way they are kept.
  std::vector<std::uint32_t> deals(std::uint32_t client) const {
    if (const Bitmap *b = big(client)) return b->to_vector();
    auto s = small(client);
    return {s.begin(), s.end()};
  }
  template <class Fn>
  void for_each_client(Fn &&fn) const {
    for (std::size_t c = 1; c < small_.size(); ++c)
      if (!small_[c].empty()) fn(static_cast<std::uint32_t>(c));
    for (const auto &[c, b] : big_) fn(c);
  }
  void shrink() { small_.shrink_to_fit(); }

  // The views cache (views/cache.cpp).
  std::vector<SmallIdSet> &small_sets() { return small_; }
  const std::vector<SmallIdSet> &small_sets() const { return small_; }
  std::unordered_map<std::uint32_t, Bitmap> &big_sets() { return big_; }
  const std::unordered_map<std::uint32_t, Bitmap> &big_sets() const { return big_; }

 private:
  std::vector<SmallIdSet> small_;                 // by client number; 0 unused
  std::unordered_map<std::uint32_t, Bitmap> big_;  // became more than big_at deals
};

}  // namespace dealcore::views
