#include "core/model/workspace_pool.h"

namespace vitscope::core {

WorkspacePool::Lease WorkspacePool::acquire() {
    std::lock_guard lock(mMutex);
    if (mIdle.empty()) {
        return {this, makeWorkspace()};
    }
    WorkspacePtr w = std::move(mIdle.back());
    mIdle.pop_back();
    return {this, std::move(w)};
}

size_t WorkspacePool::idleCount() const {
    std::lock_guard lock(mMutex);
    return mIdle.size();
}

void WorkspacePool::giveBack(WorkspacePtr workspace) {
    std::lock_guard lock(mMutex);
    if (mIdle.size() < mKeep) {
        mIdle.push_back(std::move(workspace));
    }
}

}  // namespace vitscope::core
