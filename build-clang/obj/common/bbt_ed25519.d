build-clang/obj/common/bbt_ed25519.o: common/bbt_ed25519.c \
  common/bbt_ed25519.h common/bbt_error.h common/bbt_log.h

common/bbt_ed25519.h:

common/bbt_error.h:

common/bbt_log.h:
