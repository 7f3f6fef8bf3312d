#pragma once
/// WorkspacePool: forward workspaces (vit_model.h) kept between runs, one per run in flight. The
/// window runs one image at a time, but a restarted job may still be finishing its last block
/// while the next one starts, so each run takes a workspace of its own and gives it back when it
/// ends. Reuse keeps a run from allocating and first-touching its buffers again (about 7 MB for
/// ViT-B/16 at 224, ~1,700 page faults) and keeps the resampled position table of the last grid.
/// Thread-safe.

#include <mutex>
#include <vector>

#include "core/model/vit_model.h"

namespace vitscope::core {

class WorkspacePool {
public:
    /// A workspace that returns to the pool when the lease ends.
    class Lease {
    public:
        Lease(WorkspacePool* pool, WorkspacePtr workspace)
            : mPool(pool), mWorkspace(std::move(workspace)) {}
        Lease(Lease&&) = default;
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;
        ~Lease() {
            if (mPool && mWorkspace) {
                mPool->giveBack(std::move(mWorkspace));
            }
        }
        ForwardWorkspace* get() const { return mWorkspace.get(); }

    private:
        WorkspacePool* mPool;
        WorkspacePtr mWorkspace;
    };

    /// `keep`: idle workspaces kept (their buffers stay allocated); more are released.
    explicit WorkspacePool(size_t keep = 1) : mKeep(keep) {}

    Lease acquire();
    size_t idleCount() const;

private:
    void giveBack(WorkspacePtr workspace);

    mutable std::mutex mMutex;
    std::vector<WorkspacePtr> mIdle;
    size_t mKeep;
};

}  // namespace vitscope::core
