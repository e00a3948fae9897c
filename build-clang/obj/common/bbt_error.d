build-clang/obj/common/bbt_error.o: common/bbt_error.c common/bbt_error.h

common/bbt_error.h:
