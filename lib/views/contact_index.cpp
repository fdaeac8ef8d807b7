#include "views/contact_index.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace dealcore::views {

std::uint64_t phone_key(std::string_view e164) {
  if (e164.size() < 2 || e164[0] != '+' || e164.size() > 16) return 0;
  std::uint64_t v = 0;
  for (char c : e164.substr(1)) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

std::uint64_t email_key(std::string_view s) {
  // FNV-1a 64, then a final mix so the low bits (the bucket) are well spread.
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

ContactIndex::ContactIndex() : phones_(kPhoneBuckets), emails_(kEmailBuckets) {}

void ContactIndex::add(std::vector<std::vector<Entry>> &b, std::uint32_t bucket, Entry e) {
  auto &v = b[bucket];
  auto it = std::lower_bound(v.begin(), v.end(), e);
  if (it == v.end() || !(*it == e)) v.insert(it, e);
}

void ContactIndex::drop(std::vector<std::vector<Entry>> &b, std::uint32_t bucket, Entry e) {
  auto &v = b[bucket];
  auto it = std::lower_bound(v.begin(), v.end(), e);
  if (it != v.end() && *it == e) v.erase(it);
}

void ContactIndex::replace(const std::vector<Contact> &now) {
  if (now.empty()) return;
  std::vector<std::uint32_t> ids;
  for (const auto &c : now) ids.push_back(static_cast<std::uint32_t>(c.id));
  std::sort(ids.begin(), ids.end());
  // One pass over every bucket, however many contacts.
  for (auto *b : {&phones_, &emails_})
    for (auto &bucket : *b)
      std::erase_if(bucket, [&](const Entry &e) { return std::binary_search(ids.begin(), ids.end(), e.contact); });
  for (const auto &c : now) put(nullptr, c);
}

void ContactIndex::put(const Contact *old, const Contact &now) {
  auto cid = static_cast<std::uint32_t>(now.id);
  if (old) {
    for (const auto &p : old->phones)
      if (auto k = phone_key(p)) drop(phones_, static_cast<std::uint32_t>(k % kPhoneBuckets), {k, cid});
    for (const auto &e : old->emails) {
      auto k = email_key(e);
      drop(emails_, static_cast<std::uint32_t>(k % kEmailBuckets), {k, cid});
    }
  }
  for (const auto &p : now.phones)
    if (auto k = phone_key(p)) add(phones_, static_cast<std::uint32_t>(k % kPhoneBuckets), {k, cid});
  for (const auto &e : now.emails) {
    auto k = email_key(e);
    add(emails_, static_cast<std::uint32_t>(k % kEmailBuckets), {k, cid});
  }
}

void ContactIndex::link(std::uint32_t deal, std::uint32_t contact) {
  if (contact >= deals_.size()) deals_.resize(std::max<std::size_t>(contact + 1, deals_.size() * 3 / 2 + 16));
  deals_[contact].insert(deal);
}

void ContactIndex::unlink(std::uint32_t deal, std::uint32_t contact) {
  if (contact >= deals_.size()) return;
  deals_[contact].erase(deal);
}

std::vector<Id> ContactIndex::by_phone(std::string_view e164) const {
  std::vector<Id> out;
  auto k = phone_key(e164);
  if (!k) return out;
  for (const auto &e : phones_[k % kPhoneBuckets])
    if (e.key == k) out.push_back(e.contact);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Id> ContactIndex::by_phone_suffix(std::string_view digits) const {
  std::vector<Id> out;
  if (digits.size() < 5 || digits.size() > 15) return out;
  std::uint64_t suffix = 0, mod = 1;
  for (char c : digits) {
    if (c < '0' || c > '9') return out;
    suffix = suffix * 10 + static_cast<std::uint64_t>(c - '0');
    mod *= 10;
  }
  for (const auto &e : phones_[suffix % kPhoneBuckets])
    if (e.key % mod == suffix && e.key >= mod / 10) out.push_back(e.contact);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<Id> ContactIndex::by_email(std::string_view email) const {
  std::vector<Id> out;
  auto k = email_key(email);
  for (const auto &e : emails_[k % kEmailBuckets])
    if (e.key == k) out.push_back(e.contact);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::uint32_t> ContactIndex::deals_of(const std::vector<Id> &contacts) const {
  std::vector<std::uint32_t> out;
  for (Id c : contacts) {
    if (c < 0 || static_cast<std::uint64_t>(c) >= deals_.size()) continue;
    const auto v = deals_[static_cast<std::size_t>(c)].view();
    out.insert(out.end(), v.begin(), v.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> ContactIndex::diff(const ContactIndex &o) const {
  std::vector<std::string> out;
  for (std::uint32_t b = 0; b < kPhoneBuckets; ++b)
    if (phones_[b] != o.phones_[b]) out.push_back(fmt::format("phone index differs in bucket {:05}", b));
  for (std::uint32_t b = 0; b < kEmailBuckets; ++b)
    if (emails_[b] != o.emails_[b]) out.push_back(fmt::format("e-mail index differs in bucket {}", b));
  static const SmallIdSet kNone;
  for (std::size_t c = 0; c < std::max(deals_.size(), o.deals_.size()); ++c) {
    const auto &a = c < deals_.size() ? deals_[c] : kNone, &b = c < o.deals_.size() ? o.deals_[c] : kNone;
    if (a != b) out.push_back(fmt::format("deals of contact {} differ", c));
  }
  return out;
}

}  // namespace dealcore::views
