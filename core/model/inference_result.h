#pragma once
/// What one forward pass produces and the UI/analysis consume. Immutable once returned.

#include <string>
#include <vector>

#include "core/model/attention_stack.h"
#include "core/model/memory_plan.h"
#include "core/tensor.h"

namespace vitscope::core {

/// Where each kind of token sits in the sequence: [class][dist][registers...][patches...].
/// Patch tokens are in row-major grid order: token = numPrefix + r * gridW + c.
struct TokenLayout {
    int numPrefix = 0;
    int clsIndex = -1;       ///< -1 when the model has no class token
    int distIndex = -1;      ///< -1 without a distillation token
    int firstRegister = -1;  ///< -1 without registers
    int numRegisters = 0;
    int gridH = 0;
    int gridW = 0;

    int numPatches() const { return gridH * gridW; }
    int numTokens() const { return numPrefix + numPatches(); }
    int patchToken(int row, int col) const { return numPrefix + row * gridW + col; }
    bool isPatch(int token) const { return token >= numPrefix && token < numTokens(); }
    // Names for people: core/model/token_names.h.
};

struct InferenceResult {
    int inputH = 0;  ///< pixel size of the input the model ran on
    int inputW = 0;
    TokenLayout tokens;
    AttentionStack attention;  ///< (L, H, N, N), whole or rebuilt on demand
    MemoryPlan memory;         ///< what the run held and why (the storage of `attention`)
    Vector logits;             ///< (classes); empty when the model has no head
    Vector probabilities;      ///< softmax(logits); empty when the model has no head
    Vector features;           ///< (pooledDim) the vector the head sees, after the final norm
    Matrix hidden;             ///< (N, D) all tokens after the final norm
};

}  // namespace vitscope::core
