// views/contact_index.hpp — "which deals is this phone or e-mail on?" (L5).
//
// Phones are kept as their E.164 digits in a 64-bit integer, bucketed by the
// last five digits, so an exact lookup and a "last 5+ digits" lookup both
// scan one short contiguous bucket. E-mails are kept as a 64-bit hash of
// their normalized form (bucketed the same way); two different addresses
// sharing a hash is a 1-in-10^12 event at a million addresses, and would
// only add a contact to an answer, never lose one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dealcore/deal.hpp"
#include "views/cache_io.hpp"
#include "views/compact.hpp"

namespace dealcore::views {

class ContactIndex {
 public:
  ContactIndex();

  // Indexes `now` (phones in E.164, e-mails normalized) in place of `old`
  // (what was indexed for that contact before; null for a new contact).
  void put(const Contact *old, const Contact &now);
  // As put() for each, when what was indexed for them is not known: finds
  // it in one scan of every bucket (for catching up from the event log).
  void replace(const std::vector<Contact> &now);
  void link(std::uint32_t deal, std::uint32_t contact);
  void unlink(std::uint32_t deal, std::uint32_t contact);

  std::vector<Id> by_phone(std::string_view e164) const;
  // digits: the last 5..15 digits of a number.
  std::vector<Id> by_phone_suffix(std::string_view digits) const;
  std::vector<Id> by_email(std::string_view email) const;
  // Deal ids linked to any of the contacts, sorted and unique.
  std::vector<std::uint32_t> deals_of(const std::vector<Id> &contacts) const;

  std::vector<std::string> diff(const ContactIndex &other) const;

  // The views cache (see views/cache.cpp). load() fills an empty index.
  // load() refuses a contact id above max_contact.
  void save(CacheWriter &w) const;
  void load(CacheReader &r, std::uint32_t max_contact);
  // Calls fn(deal id) for every link of a contact to a deal.
  template <class F>
  void for_each_linked_deal(F &&fn) const {
    for (const auto &s : deals_)
      for (auto d : s.view()) fn(d);
  }

 private:
  // 12 bytes, not 16: ~2 million of them at 1M deals.
  struct __attribute__((packed, aligned(4))) Entry {
    std::uint64_t key;
    std::uint32_t contact;
    friend bool operator==(const Entry &a, const Entry &b) { return a.key == b.key && a.contact == b.contact; }
    friend bool operator<(const Entry &a, const Entry &b) {
      return a.key != b.key ? a.key < b.key : a.contact < b.contact;
    }
  };
  static_assert(sizeof(Entry) == 12);
  static constexpr std::uint32_t kPhoneBuckets = 100000;  // last five digits
  static constexpr std::uint32_t kEmailBuckets = 65536;
  static void add(std::vector<std::vector<Entry>> &b, std::uint32_t bucket, Entry e);
  static void drop(std::vector<std::vector<Entry>> &b, std::uint32_t bucket, Entry e);

  std::vector<std::vector<Entry>> phones_, emails_;
  // contact id -> its deals, sorted: inline up to three (SmallIdSet). A
  // contact on many deals (a client's buyer) links in O(its deals).
  std::vector<SmallIdSet> deals_;
};

// 79123456789 for "+79123456789"; 0 when it is not E.164.
std::uint64_t phone_key(std::string_view e164);
std::uint64_t email_key(std::string_view normalized);

}  // namespace dealcore::views
