// libpng's simplified API (png_image_*): no setjmp needed from Swift.
#include <png.h>
