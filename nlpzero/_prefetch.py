"""A software prefetch for Numba kernels whose hash-table probes miss the cache.

``prefetch(arr, i)`` asks the CPU to start loading ``arr[i]``'s cache line and returns at
once (LLVM's ``llvm.prefetch``; a hint, never a fault, whatever the address). A kernel that
probes a big table at a position of its input can issue the probe of a position a few
steps ahead first, so that the loads of several probes overlap instead of each waiting
for memory in turn. Results never depend on it.
"""

from __future__ import annotations

from llvmlite import binding, ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

# the intrinsic's name carries its pointer type: "p0" for LLVM's opaque pointers (LLVM 15
# on), "p0i8" for the typed i8* of older releases
_NAME = "llvm.prefetch.p0" if binding.llvm_version_info[0] >= 15 else "llvm.prefetch.p0i8"


@intrinsic
def prefetch(typingctx, arr, index):
    """Prefetch the cache line of ``arr[index]`` for reading (1-D array, integer index;
    no bounds check is needed: a prefetch of any address is harmless)."""
    sig = types.void(arr, index)

    def codegen(context, builder, signature, args):
        arr_type, _ = signature.args
        array = context.make_array(arr_type)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, arr_type, array, [args[1]],
                                       wraparound=False)
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]), _NAME)
        # read, high temporal locality (keep in all cache levels), data cache
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen
