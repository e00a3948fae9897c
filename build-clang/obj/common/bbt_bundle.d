build-clang/obj/common/bbt_bundle.o: common/bbt_bundle.c \
  common/bbt_bundle.h common/bbt_ed25519.h common/bbt_error.h \
  common/bbt_session.h common/bbt_time.h

common/bbt_bundle.h:

common/bbt_ed25519.h:

common/bbt_error.h:

common/bbt_session.h:

common/bbt_time.h:
