"""The bundled lab's measures of the ViT paper's first two claims, in numpy (used while training
and to write the numbers tools/README.md records; the C++ core recomputes them in tests).

- Position-embedding locality (Dosovitskiy et al. 2021, Fig. 7 centre): the Pearson correlation
  between the cosine similarity of two patches' position embeddings and their grid distance, over
  all unordered pairs of distinct patches, and the share of patches whose most similar other
  embedding is a grid neighbour (distance <= sqrt(2)) or the left-right mirror.
- Mean attention distance (Fig. 7 right): per layer and head, the attention-weighted mean pixel
  distance from a patch query to the patches it attends to, the class-token column dropped and
  each row renormalised, averaged over query patches and images.
"""
import numpy as np


def grid_coords(grid: int) -> np.ndarray:
    """(grid*grid, 2) row, column of each patch in row-major token order."""
    r, c = np.divmod(np.arange(grid * grid), grid)
    return np.stack([r, c], 1).astype(np.float64)


def grid_distances(grid: int) -> np.ndarray:
    rc = grid_coords(grid)
    return np.sqrt(((rc[:, None, :] - rc[None, :, :]) ** 2).sum(-1))


def cosine_similarity(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float64)
    norm = np.linalg.norm(rows, axis=1, keepdims=True)
    unit = rows / np.where(norm > 0, norm, 1.0)
    return unit @ unit.T


def position_locality(patch_pos: np.ndarray, grid: int) -> dict:
    """patch_pos: (grid*grid, D) patch rows of the position table (class row removed)."""
    sim = cosine_similarity(patch_pos)
    dist = grid_distances(grid)
    iu = np.triu_indices(grid * grid, 1)
    if np.allclose(patch_pos, 0):
        corr = float("nan")
    else:
        corr = float(np.corrcoef(sim[iu], dist[iu])[0, 1])
    off = sim.copy()
    np.fill_diagonal(off, -np.inf)
    best = off.argmax(1)
    n = grid * grid
    rc = grid_coords(grid)
    mirror = rc[:, 0] * grid + (grid - 1 - rc[:, 1])
    off_centre = rc[:, 1] != (grid - 1) / 2
    return {"pearson_similarity_vs_distance": round(corr, 4),
            "nearest_is_neighbour_fraction": round(float((dist[np.arange(n), best] <= 2 ** 0.5 + 1e-9).mean()), 4),
            "nearest_is_mirror_of_off_centre": f"{int((best == mirror)[off_centre].sum())}/{int(off_centre.sum())}"}


def mean_attention_distance(attentions, grid: int, patch: int) -> np.ndarray:
    """attentions: per layer (B, H, 1 + grid*grid, 1 + grid*grid) softmax probabilities, class
    token first. Returns (layers, heads) in input pixels, averaged over the B images."""
    dist = grid_distances(grid) * patch
    out = []
    for a in attentions:
        a = np.asarray(a, dtype=np.float64)[:, :, 1:, 1:]           # patch queries and keys
        a = a / np.maximum(a.sum(-1, keepdims=True), 1e-30)
        out.append((a * dist).sum(-1).mean(axis=(0, 2)))            # (H,)
    return np.stack(out)


def attention_summary(mad: np.ndarray, image_width: int) -> dict:
    first, last = mad[0], mad[-1]
    return {"layer1_spread_px": round(float(first.max() - first.min()), 2),
            "layer1_spread_target_px": round(image_width / 3, 2),
            "first_layer_mean_px": round(float(first.mean()), 2),
            "last_layer_mean_px": round(float(last.mean()), 2),
            "per_layer_head_px": [[round(float(v), 2) for v in row] for row in mad]}


MASK64 = (1 << 64) - 1


def shuffle_permutation(n: int, seed: int) -> list:
    """The C++ core's shufflePermutation (core/analysis/patch_grid.cpp), bit for bit: Fisher-Yates
    from the back, driven by splitmix64 with rejection-sampled bounded draws."""
    state = seed & MASK64

    def next_u64():
        nonlocal state
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(bound: int) -> int:
        limit = MASK64 - (MASK64 % bound)
        x = next_u64()
        while x >= limit:
            x = next_u64()
        return x % bound

    perm = list(range(n))
    for i in range(n - 1, 0, -1):
        j = below(i + 1)
        perm[i], perm[j] = perm[j], perm[i]
    return perm
