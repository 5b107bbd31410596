# nginx compiles addon sources with its C flags; our objects are C++17 with
# hidden visibility. Pattern-specific variables only touch objs/addon/*.
cat << END >> $NGX_MAKEFILE

$NGX_OBJS/addon/%.o: CFLAGS += -std=c++17 -fvisibility=hidden -fvisibility-inlines-hidden -Wno-missing-field-initializers

END
