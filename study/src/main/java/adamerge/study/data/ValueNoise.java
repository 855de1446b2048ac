package adamerge.study.data;

/**
 * Seeded 2-D value noise: hashed random values on the integer lattice, blended with a
 * smoothstep; {@link #fbm} sums octaves of halving amplitude. Pure arithmetic, so identical on
 * every machine.
 */
final class ValueNoise {

    private final long seed;

    ValueNoise(long seed) {
        this.seed = seed;
    }

    /** Noise in [0, 1) at (x, y); one lattice cell per unit. */
    double at(double x, double y) {
        double fx = Math.floor(x), fy = Math.floor(y);
        int ix = (int) fx, iy = (int) fy;
        double tx = x - fx, ty = y - fy;
        tx = tx * tx * (3 - 2 * tx);
        ty = ty * ty * (3 - 2 * ty);
        double a = lattice(ix, iy), b = lattice(ix + 1, iy);
        double c = lattice(ix, iy + 1), d = lattice(ix + 1, iy + 1);
        double top = a + (b - a) * tx, bottom = c + (d - c) * tx;
        return top + (bottom - top) * ty;
    }

    /** Fractal sum of {@code octaves} octaves, normalised to [0, 1). */
    double fbm(double x, double y, int octaves) {
        double sum = 0, amp = 1, norm = 0;
        for (int o = 0; o < octaves; o++) {
            sum += amp * at(x, y);
            norm += amp;
            amp *= 0.5;
            x = x * 2 + 17.3;
            y = y * 2 + 5.1;
        }
        return sum / norm;
    }

    private double lattice(int x, int y) {
        long h = seed ^ (x * 0x9E3779B97F4A7C15L) ^ (y * 0xC2B2AE3D27D4EB4FL);
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 29)) * 0x94D049BB133111EBL;
        h ^= h >>> 32;
        return (h >>> 11) * 0x1.0p-53;
    }
}
