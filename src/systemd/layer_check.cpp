// Linked with every object of the systemd layer and nothing of core's library (meson.build):
// the build fails if src/systemd calls into core beyond its header-only plain data.
int main() { return 0; }
