// engine/handoff.hpp — a bounded queue of batches from one producer thread
// to one consumer thread, used to read the tables on one core while the
// views are built on the other.
//
// The producer push()es items, which travel in batches; close() ends the
// stream, with the producer's exception if it failed. The consumer pop()s
// batches until the stream ends (then the producer's exception, if any, is
// rethrown) or cancel()s, after which push() returns false.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <utility>
#include <vector>

namespace dealcore {

template <class T>
class Handoff {
 public:
  // At most max_waiting full batches wait for the consumer; more block the
  // producer. 0: no bound (a producer running before its consumer).
  Handoff(std::size_t batch_size, std::size_t max_waiting) : batch_size_(batch_size), max_waiting_(max_waiting) {}

  // Lifts the bound, before the producer starts.
  void unbound() { max_waiting_ = 0; }

  bool push(T &&item) {
    filling_.push_back(std::move(item));
    if (filling_.size() < batch_size_) return true;
    return hand_over();
  }

  void close(std::exception_ptr error = nullptr) {
    if (!error && !filling_.empty()) hand_over();
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    error_ = error;
    cv_.notify_all();
  }

  // The next batch into `out`; false at the end of the stream or after
  // cancel().
  bool pop(std::vector<T> &out) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !ready_.empty() || closed_ || cancelled_; });
    if (cancelled_) return false;
    if (!ready_.empty()) {
      out = std::move(ready_.front());
      ready_.pop_front();
      cv_.notify_all();
      return true;
    }
    if (error_) std::rethrow_exception(error_);
    return false;
  }

  void cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    ready_.clear();
    cv_.notify_all();
  }

 private:
  bool hand_over() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return cancelled_ || max_waiting_ == 0 || ready_.size() < max_waiting_; });
    if (cancelled_) return false;
    ready_.push_back(std::move(filling_));
    filling_ = {};
    filling_.reserve(batch_size_);
    cv_.notify_all();
    return true;
  }

  const std::size_t batch_size_;
  std::size_t max_waiting_;
  std::vector<T> filling_;  // the producer's own
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<T>> ready_;
  bool closed_ = false, cancelled_ = false;
  std::exception_ptr error_;
};

}  // namespace dealcore
