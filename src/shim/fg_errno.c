/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fg_errno.c: maps Zephyr's negative errno values to FaceGate's FG_ERR_* codes, so that the
 * Rust side never depends on the C library's errno numbering.
 */
#include <errno.h>

#include "facegate_shim.h"

/* Follows: lib/libc/minimal/include/errno.h and the picolibc errno set used by Zephyr v4.4.1
 * (names only; the numeric values are the C library's business). */
int fg_err_from_errno(int err)
{
	if (err >= 0) {
		return FG_OK;
	}
	switch (-err) {
	case ENOENT:
		return FG_ERR_NOT_FOUND;
	case ENOSPC:
		return FG_ERR_NO_SPACE;
	case EAGAIN:
	case ETIMEDOUT:
		return FG_ERR_TIMEOUT;
	case EINVAL:
	case ERANGE:
	case EDOM:
		return FG_ERR_INVALID;
	case ENOTSUP:
	case ENOSYS:
		return FG_ERR_NOT_SUPPORTED;
	case EBUSY:
	case EALREADY:
		return FG_ERR_BUSY;
	case ENOMEM:
	case ENOBUFS:
		return FG_ERR_NO_MEMORY;
	case ENODEV:
		return FG_ERR_NOT_READY;
	case E2BIG:
	case EFBIG:
	case ENAMETOOLONG:
		return FG_ERR_TOO_LARGE;
	default:
		return FG_ERR_IO;
	}
}
