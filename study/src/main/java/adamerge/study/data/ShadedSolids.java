package adamerge.study.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * 3-D solids with pose, in the spirit of smallNORB or CLEVR: each class is a primitive
 * (sphere, cube, cylinder, cone, torus, capsule, octahedron, hexagonal prism, triangular prism,
 * square pyramid) given as a signed distance function and ray-marched per pixel with an
 * orthographic camera, Lambert plus Blinn-Phong shading. Nuisance: a uniformly random 3-D
 * rotation, scale (0.8-1.3), position, surface colour, light direction and ambient level, and a
 * vertical two-colour background gradient; no antialiasing. Silhouettes overlap between
 * classes under some poses (a cylinder end-on is a disk, a cone from below too).
 */
final class ShadedSolids extends SyntheticTask {

    private static final List<String> CLASSES = List.of("sphere", "cube", "cylinder", "cone", "torus",
            "capsule", "octahedron", "hexagonal-prism", "triangular-prism", "pyramid");

    ShadedSolids() {
        super("solids", CLASSES);
    }

    /** Half the field of view, in object units: pixel centres span [-1.7, 1.7]. */
    private static final double VIEW = 1.7;
    private static final double BOUND = 1.05;

    @Override
    public void render(int label, SplittableRandom rng, float[] out, int offset) {
        double[] rot = randomRotation(rng);
        double scale = rng.nextDouble(0.8, 1.3);
        double cx = rng.nextDouble(-0.35, 0.35), cy = rng.nextDouble(-0.35, 0.35);
        double[] light = normalize(rng.nextDouble(-1, 1), rng.nextDouble(-0.2, 1), -rng.nextDouble(0.4, 1.2));
        double[] half = normalize(light[0], light[1], light[2] - 1);
        double ambient = rng.nextDouble(0.15, 0.4);
        double[] color = Canvas.hsv(rng.nextDouble(), rng.nextDouble(0.2, 0.9), rng.nextDouble(0.5, 1));
        double[] top = Canvas.hsv(rng.nextDouble(), rng.nextDouble(0, 0.4), rng.nextDouble(0.2, 0.9));
        double[] bottom = Canvas.jitter(top, 0.3, rng);
        Canvas canvas = new Canvas();
        double radius = BOUND * scale;
        double[] q = new double[3];
        for (int y = 0; y < Canvas.N; y++) {
            for (int x = 0; x < Canvas.N; x++) {
                double px = ((x + 0.5) / Canvas.N * 2 - 1) * VIEW - cx;
                double py = (1 - (y + 0.5) / Canvas.N * 2) * VIEW - cy;
                double[] c = Canvas.mix(top, bottom, y / 31.0);
                double r2 = px * px + py * py;
                if (r2 < radius * radius) {
                    double z = -Math.sqrt(radius * radius - r2), zEnd = -z;
                    for (int step = 0; step < 48 && z < zEnd; step++) {
                        double d = distance(label, rot, scale, px, py, z, q);
                        if (d < 0.003) {
                            double[] n = normal(label, rot, scale, px, py, z, q);
                            double diffuse = Math.max(0, dot(n, light));
                            double spec = Math.pow(Math.max(0, dot(n, half)), 24) * 0.45;
                            double shade = ambient + (1 - ambient) * diffuse;
                            c = new double[] {color[0] * shade + spec, color[1] * shade + spec, color[2] * shade + spec};
                            break;
                        }
                        z += d;
                    }
                }
                canvas.set(x, y, c);
            }
        }
        canvas.writeTo(out, offset, rng.nextDouble(0.85, 1.15), rng.nextDouble(0.005, 0.03), rng);
    }

    /** Distance from world point (x, y, z) to the posed solid; {@code q} is scratch. */
    private static double distance(int label, double[] r, double s, double x, double y, double z, double[] q) {
        // local = R^T * world / s
        q[0] = (r[0] * x + r[3] * y + r[6] * z) / s;
        q[1] = (r[1] * x + r[4] * y + r[7] * z) / s;
        q[2] = (r[2] * x + r[5] * y + r[8] * z) / s;
        return sdf(label, q[0], q[1], q[2]) * s;
    }

    /** Surface normal by the tetrahedron gradient of the distance field. */
    private static double[] normal(int label, double[] r, double s, double x, double y, double z, double[] q) {
        double e = 0.002;
        double a = distance(label, r, s, x + e, y - e, z - e, q), b = distance(label, r, s, x - e, y - e, z + e, q);
        double c = distance(label, r, s, x - e, y + e, z - e, q), d = distance(label, r, s, x + e, y + e, z + e, q);
        return normalize(a - b - c + d, -a - b + c + d, -a + b - c + d);
    }

    /** Signed distance functions after Inigo Quilez's catalogue, each fitting in a radius-1.05 ball. */
    static double sdf(int label, double x, double y, double z) {
        return switch (label) {
            case 0 -> Math.sqrt(x * x + y * y + z * z) - 0.8;
            case 1 -> box(x, y, z, 0.55, 0.55, 0.55);
            case 2 -> capped(Math.hypot(x, z) - 0.5, Math.abs(y) - 0.65);
            case 3 -> cone(x, y, z, 0.7, 0.7);
            case 4 -> Math.hypot(Math.hypot(x, z) - 0.65, y) - 0.25;
            case 5 -> {
                double cy = y - Math.clamp(y, -0.5, 0.5);
                yield Math.sqrt(x * x + cy * cy + z * z) - 0.38;
            }
            case 6 -> (Math.abs(x) + Math.abs(y) + Math.abs(z) - 1.0) * 0.57735027;
            case 7 -> hexPrism(x, y, z, 0.6, 0.45);
            case 8 -> {
                double qz = Math.abs(z);
                yield Math.max(qz - 0.45, Math.max(Math.abs(x) * 0.866025 + (y + 0.2) * 0.5, -(y + 0.2)) - 0.5);
            }
            default -> pyramid(x / 1.3, y / 1.3 + 0.35, z / 1.3, 1.0) * 1.3;
        };
    }

    private static double box(double x, double y, double z, double bx, double by, double bz) {
        double qx = Math.abs(x) - bx, qy = Math.abs(y) - by, qz = Math.abs(z) - bz;
        double ox = Math.max(qx, 0), oy = Math.max(qy, 0), oz = Math.max(qz, 0);
        return Math.sqrt(ox * ox + oy * oy + oz * oz) + Math.min(Math.max(qx, Math.max(qy, qz)), 0);
    }

    private static double capped(double dx, double dy) {
        return Math.min(Math.max(dx, dy), 0) + Math.hypot(Math.max(dx, 0), Math.max(dy, 0));
    }

    /** Capped cone of half height h, base radius r at y = -h, apex at y = +h. */
    private static double cone(double x, double y, double z, double h, double r) {
        double qx = Math.hypot(x, z), qy = y;
        double k1x = 0, k1y = h, k2x = -r, k2y = 2 * h;
        double cax = qx - Math.min(qx, qy < 0 ? r : 0), cay = Math.abs(qy) - h;
        double t = Math.clamp(((k1x - qx) * k2x + (k1y - qy) * k2y) / (k2x * k2x + k2y * k2y), 0, 1);
        double cbx = qx - k1x + k2x * t, cby = qy - k1y + k2y * t;
        double sign = cbx < 0 && cay < 0 ? -1 : 1;
        return sign * Math.sqrt(Math.min(cax * cax + cay * cay, cbx * cbx + cby * cby));
    }

    private static double hexPrism(double x, double y, double z, double hx, double hy) {
        double kx = -0.8660254, ky = 0.5, kz = 0.57735;
        double px = Math.abs(x), py = Math.abs(y), pz = Math.abs(z);
        double m = 2 * Math.min(kx * px + ky * py, 0);
        px -= m * kx;
        py -= m * ky;
        double dx = Math.hypot(px - Math.clamp(px, -kz * hx, kz * hx), py - hx) * Math.signum(py - hx);
        double dy = pz - hy;
        return capped(dx, dy);
    }

    /** Square pyramid with unit base on y = 0 and apex at height h. */
    private static double pyramid(double x, double y, double z, double h) {
        double m2 = h * h + 0.25;
        double px = Math.abs(x), pz = Math.abs(z);
        if (pz > px) { double t = px; px = pz; pz = t; }
        px -= 0.5;
        pz -= 0.5;
        double qx = pz, qy = h * y - 0.5 * px, qz = h * px + 0.5 * y;
        double s = Math.max(-qx, 0);
        double t = Math.clamp((qy - 0.5 * pz) / (m2 + 0.25), 0, 1);
        double a = m2 * (qx + s) * (qx + s) + qy * qy;
        double b = m2 * (qx + 0.5 * t) * (qx + 0.5 * t) + (qy - m2 * t) * (qy - m2 * t);
        double d2 = Math.min(qy, -qx * m2 - qy * 0.5) > 0 ? 0 : Math.min(a, b);
        return Math.sqrt((d2 + qz * qz) / m2) * Math.signum(Math.max(qz, -y));
    }

    /** Row-major 3x3 rotation from a uniformly random unit quaternion (Shoemake). */
    private static double[] randomRotation(SplittableRandom rng) {
        double u1 = rng.nextDouble(), u2 = rng.nextDouble() * 2 * Math.PI, u3 = rng.nextDouble() * 2 * Math.PI;
        double a = Math.sqrt(1 - u1), b = Math.sqrt(u1);
        double w = a * Math.sin(u2), x = a * Math.cos(u2), y = b * Math.sin(u3), z = b * Math.cos(u3);
        return new double[] {
                1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
                2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
                2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)};
    }

    private static double[] normalize(double x, double y, double z) {
        double n = Math.sqrt(x * x + y * y + z * z);
        return new double[] {x / n, y / n, z / n};
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }
}
