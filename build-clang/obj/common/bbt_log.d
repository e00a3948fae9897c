build-clang/obj/common/bbt_log.o: common/bbt_log.c common/bbt_log.h

common/bbt_log.h:
