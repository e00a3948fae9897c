build-clang/obj/common/bbt_time.o: common/bbt_time.c common/bbt_time.h \
  common/bbt_error.h

common/bbt_time.h:

common/bbt_error.h:
