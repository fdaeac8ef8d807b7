// engine/fair_mutex.hpp — a shared mutex that does not starve writers.
//
// glibc's std::shared_mutex lets a steady stream of readers hold the lock
// forever; a host UI refreshing lists in a loop would block every write.
// A writer here first takes the turnstile, which new readers must pass
// through, so it waits only for the readers already inside.
#pragma once

#include <mutex>
#include <shared_mutex>

namespace dealcore {

class FairSharedMutex {
 public:
  void lock() {
    turnstile_.lock();
    rw_.lock();
  }
  void unlock() {
    rw_.unlock();
    turnstile_.unlock();
  }
  void lock_shared() {
    std::lock_guard pass(turnstile_);
    rw_.lock_shared();
  }
  void unlock_shared() { rw_.unlock_shared(); }

 private:
  std::mutex turnstile_;
  std::shared_mutex rw_;
};

}  // namespace dealcore
