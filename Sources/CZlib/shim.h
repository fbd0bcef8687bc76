// zlib, for reading gzipped IDX files.
#include <zlib.h>
