#include "rules/expression.hpp"

#include <cctype>
#include <cmath>

#include "rules/media_filters.hpp"
#include "rules/rule_error.hpp"
#include "util/strings.hpp"

namespace vgw {

struct Expression::Node {
  enum class Kind { literal, path, list, call, unary_not, binary };
  Kind kind = Kind::literal;
  Json literal;
  JsonPath path;
  std::string op;  // function name or operator
  // `op` as compiled (see resolve_ops()): evaluation never compares text.
  enum class Op {
    none,
    equal,
    not_equal,
    less,
    less_equal,
    greater,
    greater_equal,
    in,
    and_,
    or_,
    has,
    count,
    lower,
    number,
    string,
    starts_with,
    ends_with,
    contains
  } code = Op::none;
  std::vector<std::unique_ptr<Node>> children;
};

namespace {

using Node = Expression::Node;
using NodePtr = std::unique_ptr<Node>;

struct Token {
  enum class Kind { end, number, string, name, op } kind = Kind::end;
  std::string text;
  double number = 0;
};

class Parser {
 public:
  Parser(std::string_view text, std::vector<std::string>& roots)
      : text_(text), roots_(roots) {
    advance();
  }

  NodePtr parse() {
    auto n = parse_or();
    if (tok_.kind != Token::Kind::end) fail("unexpected '" + tok_.text + "'");
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& why) {
    throw RuleError("bad expression '" + std::string(text_) + "': " + why);
  }

  // `image|url`: a '|' that starts a filter, not half of `||`.
  bool is_filter_bar() const {
    return text_[pos_] == '|' && pos_ + 1 < text_.size() &&
           std::isalpha(static_cast<unsigned char>(text_[pos_ + 1]));
  }

  void advance() {
    while (pos_ < text_.size() &&
           std::isspace(static_cast<unsigned char>(text_[pos_])))
      ++pos_;
    tok_ = Token{};
    if (pos_ >= text_.size()) return;
    char c = text_[pos_];
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '-' && pos_ + 1 < text_.size() &&
         std::isdigit(static_cast<unsigned char>(text_[pos_ + 1])))) {
      size_t start = pos_++;
      while (pos_ < text_.size() &&
             (std::isdigit(static_cast<unsigned char>(text_[pos_])) ||
              text_[pos_] == '.'))
        ++pos_;
      tok_.kind = Token::Kind::number;
      tok_.text = std::string(text_.substr(start, pos_ - start));
      tok_.number = std::stod(tok_.text);
      return;
    }
    if (c == '\'' || c == '"') {
      size_t close = text_.find(c, pos_ + 1);
      if (close == std::string_view::npos) fail("unterminated string");
      tok_.kind = Token::Kind::string;
      tok_.text = std::string(text_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
      return;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t start = pos_;
      while (pos_ < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
              text_[pos_] == '_' || text_[pos_] == '.' || text_[pos_] == '[' ||
              text_[pos_] == ']' || text_[pos_] == '-' || is_filter_bar()))
        ++pos_;
      tok_.kind = Token::Kind::name;
      tok_.text = std::string(text_.substr(start, pos_ - start));
      return;
    }
    static const char* two[] = {"||", "&&", "==", "!=", "<=", ">="};
    for (const char* op : two) {
      if (text_.substr(pos_, 2) == op) {
        tok_.kind = Token::Kind::op;
        tok_.text = op;
        pos_ += 2;
        return;
      }
    }
    if (std::string_view("!<>(),[]").find(c) != std::string_view::npos) {
      tok_.kind = Token::Kind::op;
      tok_.text = std::string(1, c);
      ++pos_;
      return;
    }
    fail(std::string("unexpected character '") + c + "'");
  }

  bool is_op(const char* op) const {
    return tok_.kind == Token::Kind::op && tok_.text == op;
  }

  void expect(const char* op) {
    if (!is_op(op)) fail(std::string("expected '") + op + "'");
    advance();
  }

  NodePtr binary(std::string op, NodePtr a, NodePtr b) {
    auto n = std::make_unique<Node>();
    n->kind = Node::Kind::binary;
    n->op = std::move(op);
    n->children.push_back(std::move(a));
    n->children.push_back(std::move(b));
    return n;
  }

  NodePtr parse_or() {
    auto left = parse_and();
    while (is_op("||")) {
      advance();
      left = binary("||", std::move(left), parse_and());
    }
    return left;
  }

  NodePtr parse_and() {
    auto left = parse_not();
    while (is_op("&&")) {
      advance();
      left = binary("&&", std::move(left), parse_not());
    }
    return left;
  }

  NodePtr parse_not() {
    if (is_op("!")) {
      advance();
      auto n = std::make_unique<Node>();
      n->kind = Node::Kind::unary_not;
      n->children.push_back(parse_not());
      return n;
    }
    return parse_comparison();
  }

  NodePtr parse_comparison() {
    auto left = parse_primary();
    static const char* ops[] = {"==", "!=", "<=", ">=", "<", ">"};
    for (const char* op : ops) {
      if (is_op(op)) {
        advance();
        return binary(op, std::move(left), parse_primary());
      }
    }
    if (tok_.kind == Token::Kind::name && tok_.text == "in") {
      advance();
      return binary("in", std::move(left), parse_primary());
    }
    return left;
  }

  NodePtr parse_primary() {
    auto n = std::make_unique<Node>();
    switch (tok_.kind) {
      case Token::Kind::number:
        n->literal = tok_.number;
        // Whole numbers compare as integers, those an int64 can hold.
        if (tok_.text.find('.') == std::string::npos &&
            std::fabs(tok_.number) < 9.2e18) {
          n->literal = static_cast<int64_t>(tok_.number);
        }
        advance();
        return n;
      case Token::Kind::string:
        n->literal = tok_.text;
        advance();
        return n;
      case Token::Kind::name: {
        std::string name = tok_.text;
        advance();
        if (name == "true" || name == "false") {
          n->literal = name == "true";
          return n;
        }
        if (name == "null") return n;
        if (is_op("(")) return parse_call(std::move(name));
        n->kind = Node::Kind::path;
        n->path = JsonPath::parse(name);
        check_media_path(n->path, ItemMedia::maybe);
        roots_.push_back(n->path.root());
        return n;
      }
      case Token::Kind::op:
        if (is_op("(")) {
          advance();
          auto inner = parse_or();
          expect(")");
          return inner;
        }
        if (is_op("[")) {
          advance();
          n->kind = Node::Kind::list;
          while (!is_op("]")) {
            n->children.push_back(parse_or());
            if (!is_op("]")) expect(",");
          }
          advance();
          return n;
        }
        break;
      case Token::Kind::end:
        fail("unexpected end");
    }
    fail("unexpected '" + tok_.text + "'");
  }

  NodePtr parse_call(std::string name) {
    static const std::pair<const char*, size_t> functions[] = {
        {"has", 1},    {"count", 1},       {"lower", 1},     {"number", 1},
        {"string", 1}, {"starts_with", 2}, {"ends_with", 2}, {"contains", 2}};
    size_t arity = 0;
    for (const auto& [fn, n] : functions) {
      if (name == fn) arity = n;
    }
    if (arity == 0) fail("unknown function '" + name + "'");
    expect("(");
    auto n = std::make_unique<Node>();
    n->kind = Node::Kind::call;
    n->op = std::move(name);
    while (!is_op(")")) {
      n->children.push_back(parse_or());
      if (!is_op(")")) expect(",");
    }
    advance();
    if (n->children.size() != arity) {
      fail(n->op + "() takes " + std::to_string(arity) + " argument(s)");
    }
    return n;
  }

  std::string_view text_;
  std::vector<std::string>& roots_;
  size_t pos_ = 0;
  Token tok_;
};

bool loose_equals(const Json& a, const Json& b) {
  if (a.is_number() || b.is_number()) {
    auto x = json_number(a);
    auto y = json_number(b);
    return x && y && *x == *y;
  }
  if (a.is_string() && b.is_string()) return a == b;
  return a == b;
}

using Op = Node::Op;

Op op_code(const std::string& op) {
  static const std::pair<const char*, Op> kOps[] = {
      {"==", Op::equal},
      {"!=", Op::not_equal},
      {"<", Op::less},
      {"<=", Op::less_equal},
      {">", Op::greater},
      {">=", Op::greater_equal},
      {"in", Op::in},
      {"&&", Op::and_},
      {"||", Op::or_},
      {"has", Op::has},
      {"count", Op::count},
      {"lower", Op::lower},
      {"number", Op::number},
      {"string", Op::string},
      {"starts_with", Op::starts_with},
      {"ends_with", Op::ends_with},
      {"contains", Op::contains},
  };
  for (const auto& [text, code] : kOps) {
    if (op == text) return code;
  }
  return Op::none;
}

void resolve_ops(Node& n) {
  if (n.kind == Node::Kind::call || n.kind == Node::Kind::binary) {
    n.code = op_code(n.op);
  }
  for (auto& c : n.children) resolve_ops(*c);
}

Json evaluate_node(const Node& n, const Scope& scope);

// A node's value without a copy when it is a literal or a name (most
// operands are): `storage` holds it otherwise.
const Json& operand(const Node& n, const Scope& scope, Json& storage) {
  static const Json kNull;
  if (n.kind == Node::Kind::literal) return n.literal;
  if (n.kind == Node::Kind::path) {
    const Json* v = scope.lookup(n.path);
    return v ? *v : kNull;
  }
  storage = evaluate_node(n, scope);
  return storage;
}

bool operand_truthy(const Node& n, const Scope& scope) {
  Json storage;
  return json_truthy(operand(n, scope, storage));
}

bool compare(Op op, const Json& a, const Json& b) {
  if (op == Op::equal) return loose_equals(a, b);
  if (op == Op::not_equal) return !loose_equals(a, b);
  if (op == Op::in) {
    if (!b.is_array()) return false;
    for (const auto& item : b) {
      if (loose_equals(a, item)) return true;
    }
    return false;
  }
  auto ordered = [op](const auto& x, const auto& y) {
    switch (op) {
      case Op::less:
        return x < y;
      case Op::less_equal:
        return x <= y;
      case Op::greater:
        return x > y;
      case Op::greater_equal:
        return x >= y;
      default:
        return false;
    }
  };
  auto x = json_number(a);
  auto y = json_number(b);
  if (x && y) return ordered(*x, *y);
  if (a.is_string() && b.is_string()) {
    return ordered(a.get_ref<const std::string&>(),
                   b.get_ref<const std::string&>());
  }
  return false;
}

Json call(const Node& n, const Scope& scope) {
  if (n.code == Op::has) return operand_truthy(*n.children[0], scope);
  Json a_storage;
  const Json& a = operand(*n.children[0], scope, a_storage);
  switch (n.code) {
    case Op::count:
      return a.is_array() || a.is_object() ? static_cast<int64_t>(a.size())
                                           : int64_t{0};
    case Op::lower:
      return a.is_string() ? Json(to_lower(a.get_ref<const std::string&>()))
                           : a;
    case Op::number: {
      auto d = json_number(a);
      return d ? Json(*d) : Json();
    }
    case Op::string:
      return a.is_null() ? Json() : Json(json_text(a));
    default:
      break;
  }
  Json b_storage;
  const Json& b = operand(*n.children[1], scope, b_storage);
  if (!a.is_string() || !b.is_string()) return false;
  const auto& s = a.get_ref<const std::string&>();
  const auto& t = b.get_ref<const std::string&>();
  if (n.code == Op::starts_with) return starts_with(s, t);
  if (n.code == Op::ends_with) return ends_with(s, t);
  return s.find(t) != std::string::npos;  // contains
}

Json evaluate_node(const Node& n, const Scope& scope) {
  switch (n.kind) {
    case Node::Kind::literal:
      return n.literal;
    case Node::Kind::path: {
      const Json* v = scope.lookup(n.path);
      return v ? *v : Json();
    }
    case Node::Kind::list: {
      Json list = Json::array();
      for (const auto& c : n.children) list.push_back(evaluate_node(*c, scope));
      return list;
    }
    case Node::Kind::call:
      return call(n, scope);
    case Node::Kind::unary_not:
      return !operand_truthy(*n.children[0], scope);
    case Node::Kind::binary: {
      if (n.code == Op::and_) {
        return operand_truthy(*n.children[0], scope) &&
               operand_truthy(*n.children[1], scope);
      }
      if (n.code == Op::or_) {
        return operand_truthy(*n.children[0], scope) ||
               operand_truthy(*n.children[1], scope);
      }
      Json a_storage, b_storage;
      return compare(n.code, operand(*n.children[0], scope, a_storage),
                     operand(*n.children[1], scope, b_storage));
    }
  }
  return Json();
}

}  // namespace

Expression::Expression() = default;
Expression::~Expression() = default;
Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(Expression&&) noexcept = default;

Expression Expression::compile(std::string_view text) {
  Expression e;
  e.text_ = std::string(text);
  Parser parser(text, e.roots_);
  e.root_ = parser.parse();
  resolve_ops(*e.root_);
  return e;
}

Json Expression::evaluate(const Scope& scope) const {
  if (!root_) return true;
  return evaluate_node(*root_, scope);
}

bool Expression::test(const Scope& scope) const {
  return !root_ || operand_truthy(*root_, scope);
}

}  // namespace vgw
